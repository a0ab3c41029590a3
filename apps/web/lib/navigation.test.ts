import { describe, expect, it } from 'vitest';
import { loginHref, resolveTeamId, safeNextPath } from './navigation.ts';

describe('safeNextPath', () => {
  it('keeps same-origin paths and rejects everything else', () => {
    expect(safeNextPath('/invite/abc')).toBe('/invite/abc');
    expect(safeNextPath('/?team=1')).toBe('/?team=1');
    for (const bad of ['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '', null, '/a\nb']) {
      expect(safeNextPath(bad)).toBe('/');
    }
    expect(loginHref('/invite/x y')).toBe('/login?next=%2Finvite%2Fx%20y');
    expect(loginHref('//evil')).toBe('/login');
  });
});

describe('resolveTeamId', () => {
  it('prefers a valid URL team, then the stored one, then the first', () => {
    expect(resolveTeamId(['a', 'b'], 'b', 'a')).toBe('b');
    expect(resolveTeamId(['a', 'b'], 'zzz', 'b')).toBe('b');
    expect(resolveTeamId(['a', 'b'], null, 'gone')).toBe('a');
    expect(resolveTeamId([], 'a', 'a')).toBeNull();
  });
});
