import { describe, expect, it } from 'vitest';
import { autoAssign, buildPlans, placements, raterOrder, type PlanItem } from './studies.plan.ts';

const items: PlanItem[] = Array.from({ length: 10 }, (_, i) => ({ id: `item${i}`, position: i, slots: 2, isAttentionCheck: i === 9 }));
const raters = ['u1', 'u2', 'u3', 'u4'];

describe('study randomisation (pure)', () => {
  it('auto assignment: k distinct raters per item, loads within one, checks to everyone', () => {
    const a = autoAssign(42, raters, items, 3);
    for (const it of items.filter((i) => !i.isAttentionCheck)) {
      const who = raters.filter((r) => a.get(r)!.includes(it.id));
      expect(who).toHaveLength(3);
    }
    const loads = raters.map((r) => a.get(r)!.filter((id) => id !== 'item9').length);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    for (const r of raters) expect(a.get(r)).toContain('item9');
    expect(() => autoAssign(1, raters, items, 5)).toThrow(/Overlap/);
  });

  it('placements are balanced within an item (pairwise and k = 3)', () => {
    for (let pos = 0; pos < 20; pos++) {
      const p2 = placements(7, pos, 2, ['a', 'b', 'c', 'd', 'e']);
      const left0 = [...p2.values()].filter((p) => p[0] === 0).length;
      expect(Math.abs(left0 - (5 - left0))).toBeLessThanOrEqual(1);
      const p3 = placements(7, pos, 3, ['a', 'b', 'c', 'd', 'e', 'f']);
      for (let e = 0; e < 3; e++) for (let slot = 0; slot < 3; slot++) expect([...p3.values()].filter((p) => p[slot] === e)).toHaveLength(2);
    }
  });

  it('same seed and rater → same order; different raters or seeds → different orders', () => {
    const o = (seed: number, r: string) => raterOrder(seed, r, items).map((i) => i.position);
    expect(o(5, 'u1')).toEqual(o(5, 'u1'));
    expect(o(5, 'u1')).not.toEqual(o(5, 'u2'));
    expect(o(5, 'u1')).not.toEqual(o(6, 'u1'));
    // Keyed by position, not id: another study with the same layout randomises identically.
    const renamed = items.map((i) => ({ ...i, id: `other-${i.id}` }));
    expect(raterOrder(5, 'u1', renamed).map((i) => i.position)).toEqual(o(5, 'u1'));
  });

  it('plans mint distinct opaque aliases and keep the seeded order', () => {
    const assignment = autoAssign(3, raters, items, 2);
    const plans = buildPlans(3, items, assignment);
    const all = [...plans.values()].flatMap((p) => p.entries.flatMap((e) => [e.ref, ...e.aliases]));
    expect(new Set(all).size).toBe(all.length);
    for (const a of all) expect(a).toMatch(/^[\w-]{12}$/);
    const u1 = plans.get('u1')!.entries.map((e) => e.itemId);
    expect(u1).toEqual(raterOrder(3, 'u1', items.filter((i) => assignment.get('u1')!.includes(i.id))).map((i) => i.id));
  });
});
