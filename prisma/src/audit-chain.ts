import { createHash } from 'node:crypto';
import type { Prisma } from '../generated/client/client.ts';
import type { Db } from './client.ts';
import { canonicalJson } from './canonical-json.ts';

/** Chain used for events that belong to no team (sign-ups, logins). */
export const GLOBAL_CHAIN = 'global';
export const GENESIS_HASH = '0'.repeat(64);

type Tx = Prisma.TransactionClient | Db;

export interface AuditEntry {
  teamId: string | null;
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId?: string | null;
  payload?: Record<string, unknown>;
}

export interface HashedFields {
  chain: string;
  seq: number;
  teamId: string | null;
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  payload: unknown;
  createdAt: Date;
}

export function eventHash(prevHash: string, event: HashedFields): string {
  const body = canonicalJson({
    chain: event.chain,
    seq: event.seq,
    teamId: event.teamId,
    actorId: event.actorId,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    payload: event.payload,
    createdAt: event.createdAt.toISOString(),
  });
  return createHash('sha256').update(prevHash + body).digest('hex');
}

/**
 * Appends one event to its team's chain. Call it inside the same transaction as the change it
 * records, so a change never lands without its event. A transaction-scoped advisory lock per
 * chain serialises writers across processes; the unique (chain, seq) is the backstop.
 */
export async function appendAuditEvent(tx: Tx, entry: AuditEntry) {
  const chain = entry.teamId ?? GLOBAL_CHAIN;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'audit:' + chain}))`;
  const last = await tx.auditEvent.findFirst({
    where: { chain },
    orderBy: { seq: 'desc' },
    select: { seq: true, hash: true },
  });
  const fields: HashedFields = {
    chain,
    seq: (last?.seq ?? 0) + 1,
    teamId: entry.teamId,
    actorId: entry.actorId,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId ?? null,
    // Round-trip through JSON so what we hash is exactly what jsonb will return.
    payload: JSON.parse(JSON.stringify(entry.payload ?? {})),
    createdAt: new Date(),
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  return tx.auditEvent.create({
    data: { ...fields, payload: fields.payload as Prisma.InputJsonValue, prevHash, hash: eventHash(prevHash, fields) },
  });
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  firstBrokenEventId: string | null;
}

/** Walks a chain in order, recomputing every hash and link; reports the first event that fails. */
export async function verifyChain(db: Db, chain: string): Promise<ChainVerification> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  let afterSeq = 0;
  for (;;) {
    const batch = await db.auditEvent.findMany({
      where: { chain, seq: { gt: afterSeq } },
      orderBy: { seq: 'asc' },
      take: 500,
    });
    if (batch.length === 0) break;
    for (const ev of batch) {
      const recomputed = eventHash(prevHash, ev as HashedFields);
      if (ev.seq !== expectedSeq || ev.prevHash !== prevHash || ev.hash !== recomputed) {
        return { ok: false, checked, firstBrokenEventId: ev.id };
      }
      prevHash = ev.hash;
      expectedSeq += 1;
      checked += 1;
      afterSeq = ev.seq;
    }
  }
  return { ok: true, checked, firstBrokenEventId: null };
}
