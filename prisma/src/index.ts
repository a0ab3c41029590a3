export * from './client.ts';
export * from './migrate.ts';
export * from '../generated/client/client.ts';
export * from './audit-chain.ts';
export { canonicalJson } from './canonical-json.ts';
export * from './instance-identity.ts';
export * from './explanation-lifecycle.ts';
export * from './explanation-queue.ts';
