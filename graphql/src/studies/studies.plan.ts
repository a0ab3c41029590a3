import { randomBytes } from 'node:crypto';
import { hashSeed, mulberry32, shuffle } from '@fep/stats';

/**
 * Pure randomisation and assignment for studies. Everything here is a function of the study seed
 * and ids, so a frozen protocol can be re-derived and audited.
 */
export interface PlanItem {
  id: string;
  /** Position in the study: orders and placements are keyed by it, so two studies with the same
   * seed and the same item layout randomise identically. */
  position: number;
  /** Number of explanations shown (1 Likert, 2 pairwise, k ranking). */
  slots: number;
  isAttentionCheck: boolean;
}

export interface PlanEntry {
  itemId: string;
  /** Opaque per-assignment reference of the item. */
  ref: string;
  /** Display order: explanation index (into StudyItem.explanationIds) shown in slot s. */
  placement: number[];
  /** Opaque per-assignment alias of each displayed slot. */
  aliases: string[];
}

export interface RaterPlan {
  version: 1;
  entries: PlanEntry[];
}

/**
 * Balanced automatic assignment: items (attention checks excluded) are visited in a seeded order
 * and item j goes to raters (j·k + t) mod R, t < k, of a seeded rater order — every item gets
 * exactly k distinct raters and rater loads differ by at most one. Attention checks go to every
 * rater.
 */
export function autoAssign(seed: number, raterIds: readonly string[], items: readonly PlanItem[], overlap: number) {
  const R = raterIds.length;
  if (overlap < 1 || overlap > R) throw new Error(`Overlap must be between 1 and the number of raters (${R}).`);
  const raters = shuffle([...raterIds].sort(), mulberry32(hashSeed(seed, 'raters')));
  const regular = shuffle(
    byPosition(items.filter((i) => !i.isAttentionCheck)).map((i) => i.id),
    mulberry32(hashSeed(seed, 'items')),
  );
  const out = new Map<string, string[]>(raters.map((r) => [r, []]));
  regular.forEach((itemId, j) => {
    for (let t = 0; t < overlap; t++) out.get(raters[(j * overlap + t) % R]!)!.push(itemId);
  });
  for (const check of items.filter((i) => i.isAttentionCheck)) for (const r of raters) out.get(r)!.push(check.id);
  return out;
}

/**
 * Left/right (or display-order) placement balanced within an item across its raters: the raters
 * of an item are put in a seeded order and rater t gets the cyclic rotation (t + offset) mod k of
 * a seeded base permutation. Each explanation then sits in each slot equally often (±1): for
 * pairwise, left and right counts differ by at most one. This is a cyclic Latin-square
 * counterbalancing (Williams 1949 gives the carry-over-balanced variant, not needed for one
 * judgement per item).
 */
export function placements(seed: number, position: number, slots: number, ratersOfItem: readonly string[]) {
  const rng = mulberry32(hashSeed(seed, 'placement', position));
  const base = shuffle(
    Array.from({ length: slots }, (_, i) => i),
    rng,
  );
  const offset = Math.floor(rng() * slots);
  const order = shuffle([...ratersOfItem].sort(), rng);
  const out = new Map<string, number[]>();
  order.forEach((raterId, t) => {
    const r = (t + offset) % slots;
    out.set(raterId, [...base.slice(r), ...base.slice(0, r)]);
  });
  return out;
}

function alias(): string {
  return randomBytes(9).toString('base64url');
}

/**
 * Per-rater plans: item order is a Fisher–Yates shuffle seeded by (study seed, rater id), so the
 * same seed and rater give the same order and different raters get different orders.
 * Aliases are random (crypto) and only the server knows what they stand for.
 */
export function buildPlans(
  seed: number,
  items: readonly PlanItem[],
  assignment: ReadonlyMap<string, readonly string[]>,
): Map<string, RaterPlan> {
  const byId = new Map(items.map((i) => [i.id, i]));
  const ratersOf = new Map<string, string[]>();
  for (const [rater, itemIds] of assignment) for (const id of itemIds) (ratersOf.get(id) ?? ratersOf.set(id, []).get(id)!).push(rater);
  const placed = new Map<string, Map<string, number[]>>();
  for (const [itemId, raters] of ratersOf) {
    const item = byId.get(itemId)!;
    placed.set(itemId, placements(seed, item.position, item.slots, raters));
  }
  const plans = new Map<string, RaterPlan>();
  for (const [rater, itemIds] of assignment) {
    const order = raterOrder(seed, rater, itemIds.map((id) => byId.get(id)!)).map((i) => i.id);
    plans.set(rater, {
      version: 1,
      entries: order.map((itemId) => {
        const placement = placed.get(itemId)!.get(rater)!;
        return { itemId, ref: alias(), placement, aliases: placement.map(() => alias()) };
      }),
    });
  }
  return plans;
}

/** The seeded order in which one rater sees their items. */
export function raterOrder<T extends { position: number }>(seed: number, raterId: string, items: readonly T[]): T[] {
  return shuffle(byPosition(items), mulberry32(hashSeed(seed, 'order', raterId)));
}

function byPosition<T extends { position: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.position - b.position);
}
