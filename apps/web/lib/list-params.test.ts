import { describe, expect, it } from 'vitest';
import { listVariables, readListParams, withListParams } from './list-params.ts';

describe('list parameters in the URL', () => {
  it('keeps other parameters and drops emptied ones', () => {
    expect(withListParams('team=t1&q=dog', { q: '', status: 'READY' })).toBe('?team=t1&status=READY');
    expect(withListParams('', { q: '' })).toBe('');
  });

  it('turns the URL into the API filter, ignoring values the list does not know', () => {
    const p = readListParams(new URLSearchParams('q=%20dog%20&status=LOST&author=u1&sort=NAME&from=2026-12-01&to=2026-11-01'));
    const v = listVariables<{ status?: string; authorId?: string }>(p, { status: { param: 'status', allowed: ['READY'] }, authorId: { param: 'author' } });
    expect(v.sort).toBe('NAME');
    expect(v.filter).toMatchObject({ search: 'dog', authorId: 'u1' });
    expect(v.filter).not.toHaveProperty('status');
    // A range that ends before it starts keeps only its start (the API would refuse it).
    expect(v.filter).toHaveProperty('since');
    expect(v.filter).not.toHaveProperty('until');
    expect(listVariables(readListParams(new URLSearchParams('sort=SIDEWAYS')), {}).sort).toBe('NEWEST');
  });
});
