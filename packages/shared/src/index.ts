export * from './errors.ts';
export * from './config.ts';
export * from './queue.ts';
export * from './storage.ts';
export * from './methods/index.ts';
export * from './metrics.ts';
export * from './infrastructure-errors.ts';
