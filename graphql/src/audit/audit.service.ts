/**
 * The hash-chained audit log lives in @fep/db (prisma/src/audit-chain.ts) because the engine
 * appends events too; the API uses it through this module.
 */
export { appendAuditEvent, verifyChain, eventHash, GENESIS_HASH, GLOBAL_CHAIN, type AuditEntry } from '@fep/db';
