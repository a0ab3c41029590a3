import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db, Prisma } from '@fep/db';
import { appendAuditEvent } from '../audit/audit.service.ts';

/** The model the project trains and ships (apps/engine/models/synth-r2plus1d). */
export const BUILTIN_MODEL_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../apps/engine/models/synth-r2plus1d',
);

/**
 * Registers (idempotently) the shipped model as a built-in Model row visible to every team.
 * The engine re-verifies the weights hash when it loads the model for a job.
 */
export async function registerBuiltinModel(db: Db, dir = BUILTIN_MODEL_DIR) {
  if (!existsSync(path.join(dir, 'fep-model.json'))) {
    console.warn(`[models] no built-in model at ${dir}; train one with \`npm run train:model -w @fep/engine\`.`);
    return null;
  }
  const manifest = JSON.parse(readFileSync(path.join(dir, 'fep-model.json'), 'utf8')) as {
    name: string;
    version: string;
    format: string;
    labels: string[];
    weightsSha256: string;
    modelCard?: string;
  };
  const existing = await db.model.findFirst({
    where: { builtin: true, name: manifest.name, version: manifest.version },
  });
  if (existing) {
    // Same name, version and weights: a manifest that gained descriptive fields (trainingData) is
    // refreshed in place, so the trust checks see them; nothing the engine computes with changes.
    if (existing.weightsSha256 === manifest.weightsSha256 && JSON.stringify(existing.manifest) !== JSON.stringify(manifest)) {
      return db.model.update({ where: { id: existing.id }, data: { manifest: manifest as unknown as Prisma.InputJsonValue } });
    }
    return existing;
  }
  let modelCard: Prisma.InputJsonValue | undefined;
  if (manifest.modelCard) {
    try {
      modelCard = { markdown: readFileSync(path.join(dir, manifest.modelCard), 'utf8') };
    } catch {
      modelCard = undefined;
    }
  }
  return db.$transaction(async (tx) => {
    const model = await tx.model.create({
      data: {
        teamId: null,
        builtin: true,
        name: manifest.name,
        version: manifest.version,
        format: manifest.format,
        manifest: manifest as unknown as Prisma.InputJsonValue,
        labels: manifest.labels,
        weightsSha256: manifest.weightsSha256,
        modelCard,
      },
    });
    await appendAuditEvent(tx, {
      teamId: null,
      actorId: null,
      action: 'model.builtin_registered',
      subjectType: 'Model',
      subjectId: model.id,
      payload: { name: model.name, version: model.version, weightsSha256: model.weightsSha256 },
    });
    return model;
  });
}
