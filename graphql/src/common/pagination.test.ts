import { describe, expect, it } from 'vitest';
import { byCreatedAt, connection, decodeCursor, encodeCursor, keysetPage, pageArray, pageSize, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from './pagination.ts';

describe('pagination', () => {
  it('validates first', () => {
    expect(pageSize(undefined)).toBe(DEFAULT_PAGE_SIZE);
    expect(pageSize(MAX_PAGE_SIZE)).toBe(MAX_PAGE_SIZE);
    for (const bad of [0, -1, MAX_PAGE_SIZE + 1, 1.5]) expect(() => pageSize(bad)).toThrow(/first must be/);
  });

  it('cursors round-trip and reject garbage', () => {
    expect(decodeCursor(encodeCursor([1, 'a']), 2)).toEqual([1, 'a']);
    expect(() => decodeCursor('not-a-cursor', 2)).toThrow(/Invalid cursor/);
    expect(() => decodeCursor(encodeCursor([1]), 2)).toThrow(/Invalid cursor/);
  });

  it('builds the keyset condition after the cursor, per direction', () => {
    const at = new Date('2026-01-02T03:04:05Z');
    const p = keysetPage({ first: 2, after: encodeCursor([at.getTime(), 'x']) }, byCreatedAt('desc'));
    expect(p).toEqual({
      size: 2,
      take: 3,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      where: { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: 'x' } }] },
    });
  });

  it('pages rows and arrays with hasNextPage and endCursor', () => {
    const rows = [1, 2, 3].map((i) => ({ id: `r${i}`, createdAt: new Date(i * 1000) }));
    const c = connection(rows, 2, byCreatedAt('asc'));
    expect(c.nodes.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(c.pageInfo.hasNextPage).toBe(true);
    expect(decodeCursor(c.pageInfo.endCursor!, 2)).toEqual([2000, 'r2']);
    const a = pageArray(['a', 'b', 'c'], { first: 2 });
    expect(a).toMatchObject({ nodes: ['a', 'b'], pageInfo: { hasNextPage: true } });
    expect(pageArray(['a', 'b', 'c'], { first: 2, after: a.pageInfo.endCursor })).toMatchObject({ nodes: ['c'], pageInfo: { hasNextPage: false } });
  });
});
