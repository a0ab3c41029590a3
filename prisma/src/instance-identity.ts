import { randomUUID } from 'node:crypto';
import type { Db } from './client.ts';

/**
 * This database's identity: a random id stored once in the one-row `InstanceIdentity` table (its
 * migration writes it; a row deleted by hand is written again here). The same id for every
 * process on the same database, a different one for every other database — including a restored
 * copy made before the row existed. A copy of a database keeps its id: give such a copy its own
 * QUEUE_PREFIX if it shares a Redis with the original.
 */
export async function instanceId(db: Db): Promise<string> {
  const row = await db.instanceIdentity.findUnique({ where: { id: 1 } });
  if (row) return row.instanceId;
  await db.$executeRaw`INSERT INTO "InstanceIdentity" ("id", "instanceId") VALUES (1, ${randomUUID().replace(/-/g, '')}) ON CONFLICT ("id") DO NOTHING`;
  return (await db.instanceIdentity.findUniqueOrThrow({ where: { id: 1 } })).instanceId;
}

/**
 * The queue prefix of this deployment: QUEUE_PREFIX when set, else `fep-<12 hex of the database's
 * instance id>`. The API, the engine workers and the reconciler all compute it at start, so jobs
 * only ever reach workers that read the same database.
 */
export async function resolveQueuePrefix(db: Db, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  return `fep-${(await instanceId(db)).slice(0, 12)}`;
}
