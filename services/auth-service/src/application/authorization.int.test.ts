import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRpc } from '@tiktok-share/messaging';
import { authAccountsList, authCallback, authStart, authToken } from '@tiktok-share/contracts/rpc.ts';
import { createHarness, type Harness } from '../testing/harness.int.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.cleanup();
});

const list = (userId: string) => callRpc(h.bus, authAccountsList.subject, { userId }, authAccountsList.output);
const callback = (q: Record<string, string>) => callRpc(h.bus, authCallback.subject, q, authCallback.output);
const accountIdOf = (redirectTo: string) => new URL(redirectTo, 'http://x').searchParams.get('accountId');

async function eventTypes(): Promise<string[]> {
  const rows = await h.db.withSchema(h.schema).selectFrom('es_events').select(['type']).orderBy('position').execute();
  return rows.map((r) => String(r['type']));
}

describe('connect', () => {
  it('connects an account and redirects to returnTo', async () => {
    const { redirectTo } = await h.connect('user-a', 'public1', { returnTo: '/studio?tab=2' });
    expect(redirectTo).toMatch(/^\/studio\?tab=2&tiktok=connected&accountId=acc_/);
    const { accounts } = await list('user-a');
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ openId: 'public1', status: 'connected', accountId: accountIdOf(redirectTo) });
    expect(accounts[0]?.scopes).toContain('video.publish');
  });

  it('a reused state connects nothing', async () => {
    const before = (await eventTypes()).length;
    const first = await h.connect('user-r', 'reuse1');
    const again = await callback(first.query);
    expect(again.redirectTo).toBe('/?tiktok=error&code=invalid_state');
    expect((await eventTypes()).length).toBe(before + 1);
  });

  it('a forged state connects nothing', async () => {
    const start = await callRpc(h.bus, authStart.subject, { userId: 'user-f', returnTo: '/' }, authStart.output);
    const q = await h.authorize(start.authUrl, 'forged1', 'allow');
    const forged = { ...q, state: 'A'.repeat(43) };
    expect((await callback(forged)).redirectTo).toBe('/?tiktok=error&code=invalid_state');
    expect((await callback({ ...q, state: 'garbage' })).redirectTo).toBe('/?tiktok=error&code=invalid_state');
    expect((await list('user-f')).accounts).toHaveLength(0);
  });

  it('an expired state connects nothing', async () => {
    const start = await callRpc(h.bus, authStart.subject, { userId: 'user-e', returnTo: '/' }, authStart.output);
    const q = await h.authorize(start.authUrl, 'expired1', 'allow');
    h.clock.ms += 10 * 60_000 + 1;
    try {
      expect((await callback(q)).redirectTo).toBe('/?tiktok=error&code=invalid_state');
    } finally {
      h.clock.ms -= 10 * 60_000 + 1;
    }
    expect((await list('user-e')).accounts).toHaveLength(0);
  });

  it("another user's state connects nothing", async () => {
    const start = await callRpc(h.bus, authStart.subject, { userId: 'attacker', returnTo: '/' }, authStart.output);
    const q = await h.authorize(start.authUrl, 'victim1', 'allow');
    const res = await h.service.callback({ ...q, state: q['state'] ?? '', userId: 'victim' });
    expect(res.redirectTo).toBe('/?tiktok=error&code=invalid_state');
    expect((await list('attacker')).accounts).toHaveLength(0);
    expect((await list('victim')).accounts).toHaveLength(0);
  });

  it('refuses an absolute returnTo', async () => {
    await expect(callRpc(h.bus, authStart.subject, { userId: 'u', returnTo: 'https://evil.example' }, authStart.output)).rejects.toMatchObject({ status: 400 });
    await expect(h.service.authorize({ userId: 'u', returnTo: 'https://evil.example' })).rejects.toMatchObject({ code: 'invalid_return_to' });
    await expect(h.service.authorize({ userId: 'u', returnTo: '//evil.example' })).rejects.toMatchObject({ code: 'invalid_return_to' });
  });

  it('denied consent comes back as a clear error', async () => {
    const { redirectTo } = await h.connect('user-d', 'denied1', { consent: 'deny', returnTo: '/x' });
    expect(redirectTo).toBe('/x?tiktok=error&code=access_denied');
    expect((await list('user-d')).accounts).toHaveLength(0);
  });
});

describe('several accounts, reconnect, moving', () => {
  it('one user, two accounts; reconnect keeps the account and a working refresh token', async () => {
    const a1 = accountIdOf((await h.connect('user-2', 'multi1')).redirectTo);
    const a2 = accountIdOf((await h.connect('user-2', 'multi2')).redirectTo);
    expect(a1).not.toBe(a2);
    const again = accountIdOf((await h.connect('user-2', 'multi1')).redirectTo);
    expect(again).toBe(a1);
    expect((await list('user-2')).accounts.map((a) => a.accountId).sort()).toEqual([a1, a2].sort());
    // Force a refresh: the refresh token stored by the reconnect must be the live one.
    h.clock.ms += 3 * 3600_000;
    try {
      const tok = await callRpc(h.bus, authToken.subject, { accountId: a1 }, authToken.output);
      expect(tok.openId).toBe('multi1');
      const user = await h.real.userInfo(tok.accessToken, ['open_id']);
      expect(user['open_id']).toBe('multi1');
    } finally {
      h.clock.ms -= 3 * 3600_000;
    }
  });

  it('an open_id authorized by another user moves to them', async () => {
    const first = accountIdOf((await h.connect('owner-1', 'moving1')).redirectTo);
    const second = accountIdOf((await h.connect('owner-2', 'moving1')).redirectTo);
    expect(second).not.toBe(first);
    expect((await list('owner-1')).accounts[0]).toMatchObject({ accountId: first, status: 'disconnected' });
    expect((await list('owner-2')).accounts[0]).toMatchObject({ accountId: second, status: 'connected' });
    const events = await h.db.withSchema(h.schema).selectFrom('es_events').select(['type', 'data']).where('stream_id', '=', `account-${first}`).orderBy('stream_version').execute();
    expect(events.at(-1)).toMatchObject({ type: 'AccountDisconnected', data: { reason: 'connected_elsewhere', userId: 'owner-1' } });
    await expect(callRpc(h.bus, authToken.subject, { accountId: first }, authToken.output)).rejects.toMatchObject({ code: 'reauthorization_required' });
  });
});
