/**
 * Every operation the web app sends (subscriptions too, each with the fragments it spreads) is
 * valid against the schema and within the depth and cost limits, with room to spare — so
 * tightening a limit or changing the SDL breaks this test, not the product.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse, specifiedRules, validate, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../schema.ts';
import { measureOperation, QUERY_LIMITS, queryLimitsRule } from './query-limits.ts';

const { maxDepth: MAX_QUERY_DEPTH, maxCost: MAX_QUERY_COST } = QUERY_LIMITS;

const OPS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../apps/web/lib/operations');

async function webOperations(): Promise<{ name: string; query: string }[]> {
  const out: { name: string; query: string }[] = [];
  for (const file of readdirSync(OPS_DIR).filter((f) => f.endsWith('.ts')).sort()) {
    const mod = (await import(path.join(OPS_DIR, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (value && typeof value === 'object' && typeof (value as { query?: unknown }).query === 'string') {
        out.push({ name: `${file}:${name}`, query: (value as { query: string }).query });
      } else if (typeof value === 'string' && /^\s*subscription\b/.test(value)) {
        // Subscriptions are sent over graphql-ws as plain document strings.
        out.push({ name: `${file}:${name}`, query: value });
      }
    }
  }
  return out;
}

describe('web operations', () => {
  it('are valid against the schema and well inside the query limits', async () => {
    const schema = buildSchema();
    const ops = await webOperations();
    expect(ops.length).toBeGreaterThan(40);
    // Shared fragments (apps/web/lib/operations/fragments.ts) are appended to each document that
    // spreads them, so each document below is validated whole: its operation with its fragments.
    expect(ops.filter((op) => /^\s*fragment\s/m.test(op.query)).length).toBeGreaterThan(20);
    let deepest = { name: '', depth: 0 };
    let costliest = { name: '', cost: 0 };
    for (const op of ops) {
      const doc = parse(op.query);
      const errors = validate(schema, doc, [...specifiedRules, queryLimitsRule()]);
      expect(errors.map((e) => e.message), op.name).toEqual([]);
      const fragments = new Map(
        doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
      );
      for (const def of doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)) {
        const { depth, cost } = measureOperation(schema, def, fragments);
        if (depth > deepest.depth) deepest = { name: op.name, depth };
        if (cost > costliest.cost) costliest = { name: op.name, cost };
      }
    }
    console.log(`deepest web operation: ${deepest.name} (depth ${deepest.depth}); costliest: ${costliest.name} (cost ${costliest.cost})`);
    expect(deepest.depth).toBeLessThanOrEqual(MAX_QUERY_DEPTH - 3);
    // A live review may hold 100 explanations (its list is bounded, not paged): half the limit, not a quarter.
    expect(costliest.cost).toBeLessThanOrEqual(MAX_QUERY_COST / 2);
  });
});
