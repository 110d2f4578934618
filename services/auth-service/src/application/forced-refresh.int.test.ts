/**
 * Forced refresh: TikTok invalidates an access token before its announced expiry (emulator
 * POST /__control/expire-tokens); the caller names the refused token by fingerprint only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRpc } from '@tiktok-share/messaging';
import { accessTokenFingerprint, authToken } from '@tiktok-share/contracts/rpc.ts';
import { accountIdOf, createHarness, type Harness } from '../testing/harness.int.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.cleanup();
});

const token = (accountId: string, rejectedAccessTokenSha256?: string) =>
  callRpc(h.bus, authToken.subject, { accountId, ...(rejectedAccessTokenSha256 ? { rejectedAccessTokenSha256 } : {}) }, authToken.output, { timeoutMs: 20_000 });
const issuedFor = (openId: string) => [...h.emulator.state.refreshTokens.values()].filter((t) => t.openId === openId).length;

async function expireAtTikTok(openId: string): Promise<void> {
  const res = await fetch(`${h.emulator.url}/__control/expire-tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ openId }) });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { expired: number }).expired).toBeGreaterThan(0);
}

describe('accessTokenFingerprint', () => {
  it('is the lowercase hex sha256 of the token', () => {
    // sha256("abc"), FIPS 180-2 test vector.
    expect(accessTokenFingerprint('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('forced refresh after TikTok rejected the token', () => {
  it('10 concurrent requests across two instances: one refresh, a working new token, stale fingerprints change nothing', async () => {
    const second = await h.secondInstance();
    const id = accountIdOf((await h.connect('forced-user', 'forced1')).redirectTo);
    const dead = await token(id);
    await expireAtTikTok('forced1');
    // The scenario is real: TikTok refuses the token although our recorded expiry is hours away.
    await expect(h.real.creatorInfo(dead.accessToken)).rejects.toMatchObject({ code: 'access_token_invalid' });
    expect(new Date(dead.accessExpiresAt).getTime()).toBeGreaterThan(h.clock.ms + 3600_000);
    // Without a fingerprint the recorded expiry wins: the same (dead) token comes back, no refresh.
    const calls = h.spy.refreshCalls.length;
    expect((await token(id)).accessToken).toBe(dead.accessToken);
    expect(h.spy.refreshCalls.length).toBe(calls);

    const fp = accessTokenFingerprint(dead.accessToken);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 3 === 0 ? token(id, fp) : i % 3 === 1 ? h.service.token(id, fp) : second.token(id, fp))),
    );
    expect(h.spy.refreshCalls.length - calls).toBe(1);
    expect(issuedFor('forced1')).toBe(2); // code grant + exactly one refresh, counted by the emulator
    const fresh = results[0]?.accessToken ?? '';
    expect(fresh).not.toBe(dead.accessToken);
    for (const r of results) expect(r.accessToken).toBe(fresh);
    const info = await h.real.creatorInfo(fresh);
    expect(info.canPost).toBe(true);

    // A late 401 for the old token (stale fingerprint) answers the current token, no refresh.
    expect((await token(id, fp)).accessToken).toBe(fresh);
    expect((await second.token(id, fp)).accessToken).toBe(fresh);
    // Neither does a fingerprint of something that was never our token.
    expect((await token(id, accessTokenFingerprint('not-a-token'))).accessToken).toBe(fresh);
    expect(h.spy.refreshCalls.length - calls).toBe(1);
    expect(issuedFor('forced1')).toBe(2);
  });

  it('the new token can itself be rejected and force the next refresh (with the rotated refresh token)', async () => {
    const id = accountIdOf((await h.connect('forced-user', 'forced2')).redirectTo);
    const first = await token(id);
    await expireAtTikTok('forced2');
    const second = await token(id, accessTokenFingerprint(first.accessToken));
    const rotated = h.spy.issued.at(-1);
    expect(rotated?.accessToken).toBe(second.accessToken);
    await expireAtTikTok('forced2');
    const third = await token(id, accessTokenFingerprint(second.accessToken));
    expect(third.accessToken).not.toBe(second.accessToken);
    expect(h.spy.refreshCalls.at(-1)).toBe(rotated?.refreshToken);
    expect((await h.real.creatorInfo(third.accessToken)).canPost).toBe(true);
  });

  it('rejects a malformed fingerprint with validation_failed, and never echoes a token', async () => {
    const id = accountIdOf((await h.connect('forced-user', 'forced3')).redirectTo);
    const t = await token(id);
    const err = await callRpc(h.bus, authToken.subject, { accountId: id, rejectedAccessTokenSha256: t.accessToken }, authToken.output).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'validation_failed', status: 400 });
    expect(JSON.stringify(err)).not.toContain(t.accessToken);
  });
});
