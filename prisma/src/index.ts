export * from './client.ts';
export * from './migrate.ts';
export * from '../generated/client/client.ts';
