import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, invitationState, tokenState } from './format.ts';

describe('format', () => {
  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(75.4)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
  });

  it('formats sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
  });

  it('derives token and invitation states', () => {
    const now = new Date('2025-01-02T00:00:00Z');
    expect(tokenState({ revokedAt: null, expiresAt: null }, now)).toBe('active');
    expect(tokenState({ revokedAt: null, expiresAt: '2025-01-01T00:00:00Z' }, now)).toBe('expired');
    expect(tokenState({ revokedAt: '2024-12-01T00:00:00Z', expiresAt: '2025-01-01T00:00:00Z' }, now)).toBe('revoked');
    const inv = { acceptedAt: null, revokedAt: null, expiresAt: '2025-01-03T00:00:00Z' };
    expect(invitationState(inv, now)).toBe('pending');
    expect(invitationState({ ...inv, expiresAt: '2025-01-01T00:00:00Z' }, now)).toBe('expired');
    expect(invitationState({ ...inv, acceptedAt: '2025-01-01T00:00:00Z' }, now)).toBe('accepted');
  });
});
