import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { callbackErrorCode, encodeState, hashState, isSafeReturnTo, isWellFormedState, withResult } from './oauth-state.ts';
import { needsRefresh } from './token-policy.ts';

describe('state', () => {
  it('is 256 bits in base64url and well formed', () => {
    const s = encodeState(randomBytes(32));
    expect(s).toHaveLength(43);
    expect(isWellFormedState(s)).toBe(true);
    expect(isWellFormedState(`${s}x`)).toBe(false);
    expect(isWellFormedState('short')).toBe(false);
  });
  it('refuses fewer random bytes', () => expect(() => encodeState(randomBytes(16))).toThrow());
  it('hashes deterministically, never echoing the state', () => {
    const s = encodeState(randomBytes(32));
    expect(hashState(s)).toBe(hashState(s));
    expect(hashState(s)).not.toContain(s);
    expect(hashState(s)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('returnTo', () => {
  it.each(['/', '/dashboard', '/a/b?x=1#h'])('accepts %s', (p) => expect(isSafeReturnTo(p)).toBe(true));
  it.each(['https://evil.example', '//evil.example', '/\\evil.example', 'evil', '/\t/evil.example', 'javascript:alert(1)', ''])('refuses %j', (p) =>
    expect(isSafeReturnTo(p)).toBe(false));
  it('appends the result and keeps the query', () => {
    expect(withResult('/a?x=1', { tiktok: 'connected', accountId: 'acc_1' })).toBe('/a?x=1&tiktok=connected&accountId=acc_1');
    expect(withResult('https://evil.example', { tiktok: 'error', code: 'invalid_state' })).toBe('/?tiktok=error&code=invalid_state');
  });
  it('maps callback errors to stable codes', () => {
    expect(callbackErrorCode('access_denied')).toBe('access_denied');
    expect(callbackErrorCode('<script>')).toBe('authorization_failed');
  });
});

describe('needsRefresh', () => {
  const issued = new Date('2026-01-01T00:00:00Z');
  const expires = new Date('2026-01-01T02:00:00Z');
  it('not while more than a quarter of the lifetime is left', () => expect(needsRefresh({ accessIssuedAt: issued, accessExpiresAt: expires }, new Date('2026-01-01T01:00:00Z'))).toBe(false));
  it('when less than a quarter is left', () => expect(needsRefresh({ accessIssuedAt: issued, accessExpiresAt: expires }, new Date('2026-01-01T01:31:00Z'))).toBe(true));
  it('when less than 5 minutes are left even for short lifetimes', () => {
    const shortExp = new Date('2026-01-01T00:06:00Z');
    expect(needsRefresh({ accessIssuedAt: issued, accessExpiresAt: shortExp }, new Date('2026-01-01T00:01:30Z'))).toBe(true);
  });
  it('once expired', () => expect(needsRefresh({ accessIssuedAt: issued, accessExpiresAt: expires }, new Date('2026-01-01T03:00:00Z'))).toBe(true));
});
