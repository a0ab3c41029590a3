export { buildSchema, PUBLIC_OPERATIONS } from './schema.ts';
export { createApiRuntime, type ApiRuntime } from './runtime.ts';
export { mountApi, attachSubscriptions, startApiServer, GRAPHQL_PATH } from './server/http.ts';
export { PERMISSIONS, can, type Permission } from './auth/permissions.ts';
export { verifyChain, appendAuditEvent } from './audit/audit.service.ts';
export type { ApiContext, ApiDeps, Caller } from './context.ts';
export { registerBuiltinModel, BUILTIN_MODEL_DIR } from './models/builtin-model.ts';
export { seedDemo, DEMO_EMAIL } from './seed/demo-seed.ts';
