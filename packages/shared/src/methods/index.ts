export * from './catalogue.ts';
export * from './limits.ts';
export * from './request.ts';
export * from './label.ts';
