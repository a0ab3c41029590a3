import { describe, expect, it } from 'vitest';
import { checkRequest } from './request-guard.ts';

const APP = 'http://127.0.0.1:3000';
const allowed = new Set([APP, 'http://localhost:3000']);
const cookie = 'fep_session=abc';

function verdict(method: string, headers: Record<string, string>, upgrade = false) {
  return checkRequest({ method, headers, upgrade }, allowed).ok;
}

describe('request guard', () => {
  it('allows state-changing requests with the cookie from an allowed Origin', () => {
    expect(verdict('POST', { cookie, origin: APP })).toBe(true);
    expect(verdict('PATCH', { cookie, origin: 'http://localhost:3000' })).toBe(true);
  });

  it('refuses state-changing requests with the cookie from another port, host or scheme', () => {
    expect(verdict('POST', { cookie, origin: 'http://127.0.0.1:4000' })).toBe(false);
    expect(verdict('POST', { cookie, origin: 'https://127.0.0.1:3000' })).toBe(false);
    expect(verdict('DELETE', { cookie, origin: 'http://evil.example' })).toBe(false);
    expect(verdict('POST', { cookie, origin: 'null' })).toBe(false);
  });

  it('falls back to Sec-Fetch-Site when Origin is absent', () => {
    expect(verdict('POST', { cookie, 'sec-fetch-site': 'same-origin' })).toBe(true);
    expect(verdict('POST', { cookie, 'sec-fetch-site': 'none' })).toBe(true);
    expect(verdict('POST', { cookie, 'sec-fetch-site': 'same-site' })).toBe(false);
    expect(verdict('POST', { cookie, 'sec-fetch-site': 'cross-site' })).toBe(false);
  });

  it('allows a cookie request with neither header (a non-browser client)', () => {
    expect(verdict('POST', { cookie })).toBe(true);
  });

  it('checks WebSocket upgrades like state-changing requests', () => {
    expect(verdict('GET', { cookie, origin: APP }, true)).toBe(true);
    expect(verdict('GET', { cookie, origin: 'http://127.0.0.1:4000' }, true)).toBe(false);
    expect(verdict('GET', { cookie, 'sec-fetch-site': 'same-site' }, true)).toBe(false);
  });

  it('exempts requests without the session cookie (anonymous or bearer)', () => {
    expect(verdict('POST', { authorization: 'Bearer fep_pat_x', origin: 'http://127.0.0.1:4000' })).toBe(true);
    expect(verdict('GET', { origin: 'http://127.0.0.1:4000' }, true)).toBe(true);
    expect(verdict('POST', { cookie: 'other=1', origin: 'http://127.0.0.1:4000' })).toBe(true);
    // Cookie and bearer together: the cookie still makes it a cookie request.
    expect(verdict('POST', { cookie, authorization: 'Bearer fep_pat_x', origin: 'http://127.0.0.1:4000' })).toBe(false);
  });

  it('refuses cross-site and same-site subresource GETs with the cookie, but not navigations', () => {
    expect(verdict('GET', { cookie, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'video' })).toBe(false);
    expect(verdict('GET', { cookie, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' })).toBe(false);
    expect(verdict('HEAD', { cookie, 'sec-fetch-site': 'cross-site' })).toBe(false);
    expect(verdict('GET', { cookie, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' })).toBe(true);
    expect(verdict('GET', { cookie, 'sec-fetch-site': 'same-origin', 'sec-fetch-dest': 'video' })).toBe(true);
    expect(verdict('GET', { cookie })).toBe(true);
    expect(verdict('OPTIONS', { cookie, origin: 'http://127.0.0.1:4000' })).toBe(true);
  });
});
