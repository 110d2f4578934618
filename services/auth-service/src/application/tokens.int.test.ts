import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { callRpc } from '@tiktok-share/messaging';
import { authAccountsDisconnect, authAccountsGet, authToken, authWebhook } from '@tiktok-share/contracts/rpc.ts';
import { accountIdOf, createHarness, type Harness } from '../testing/harness.int.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.cleanup();
});

const token = (accountId: string) => callRpc(h.bus, authToken.subject, { accountId }, authToken.output, { timeoutMs: 20_000 });
const streamEvents = (accountId: string) =>
  h.db.withSchema(h.schema).selectFrom('es_events').select(['type', 'data']).where('stream_id', '=', `account-${accountId}`).orderBy('stream_version').execute();

describe('fresh tokens', () => {
  it('answers the stored token while it is fresh, without calling TikTok', async () => {
    const id = accountIdOf((await h.connect('tok-user', 'fresh1')).redirectTo);
    const calls = h.spy.refreshCalls.length;
    const t = await token(id);
    expect(t.openId).toBe('fresh1');
    expect(h.spy.issued.some((s) => s.accessToken === t.accessToken)).toBe(true);
    expect(h.spy.refreshCalls.length).toBe(calls);
  });

  it('20 concurrent requests across two instances: one refresh, everyone gets the new token', async () => {
    const second = await h.secondInstance();
    const id = accountIdOf((await h.connect('tok-user', 'conc1')).redirectTo);
    const original = h.spy.issued.at(-1);
    h.clock.ms += 3 * 3600_000; // past the 2 h access lifetime
    const calls = h.spy.refreshCalls.length;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? token(id) : second.token(id))));
    expect(h.spy.refreshCalls.length - calls).toBe(1);
    expect(h.spy.refreshCalls.at(-1)).toBe(original?.refreshToken);
    const fresh = h.spy.issued.at(-1);
    expect(fresh?.accessToken).not.toBe(original?.accessToken);
    for (const r of results) expect(r.accessToken).toBe(fresh?.accessToken);
    // Counted on the emulator's side too: the code grant issued one refresh token, one refresh another.
    expect([...h.emulator.state.refreshTokens.values()].filter((t) => t.openId === 'conc1')).toHaveLength(2);
    // The emulator agrees: the rotated-out refresh token is dead, the new one alive.
    expect((await h.real.userInfo(fresh?.accessToken ?? '', ['open_id']))['open_id']).toBe('conc1');
    // Much later: the next refresh presents the NEW refresh token, never the rotated-out one.
    h.clock.ms += 3 * 3600_000;
    await token(id);
    expect(h.spy.refreshCalls.at(-1)).toBe(fresh?.refreshToken);
    expect(h.spy.refreshCalls.filter((r) => r === original?.refreshToken)).toHaveLength(1);
    const types = (await streamEvents(id)).map((e) => e.type);
    expect(types).toEqual(['AccountConnected', 'AccountTokenRefreshed', 'AccountTokenRefreshed']);
  });

  it('a revoked refresh token leads to reauthorization_required and the event', async () => {
    const id = accountIdOf((await h.connect('tok-user', 'revoked1')).redirectTo);
    const t = await token(id);
    await h.real.revoke(t.accessToken); // the grant dies at TikTok behind our back
    h.clock.ms += 3 * 3600_000;
    await expect(token(id)).rejects.toMatchObject({ code: 'reauthorization_required', status: 409 });
    const last = (await streamEvents(id)).at(-1);
    expect(last).toMatchObject({ type: 'AccountDisconnected', data: { reason: 'refresh_failed' } });
    const view = await callRpc(h.bus, authAccountsGet.subject, { userId: 'tok-user', accountId: id }, authAccountsGet.output);
    expect(view.status).toBe('reauthorization_required');
    await expect(token(id)).rejects.toMatchObject({ code: 'reauthorization_required' });
    expect((await streamEvents(id)).filter((e) => e.type === 'AccountDisconnected')).toHaveLength(1);
  });
});

describe('token with ownership (userId)', () => {
  const owned = (userId: string, accountId: string) => callRpc(h.bus, authToken.subject, { accountId, userId }, authToken.output, { timeoutMs: 20_000 });

  it('answers the token with the account fields and echoes the checked owner', async () => {
    const id = accountIdOf((await h.connect('own-user', 'own1')).redirectTo);
    const t = await owned('own-user', id);
    expect(t).toMatchObject({ openId: 'own1', userId: 'own-user', status: 'connected' });
    expect(t.scopes.length).toBeGreaterThan(0);
    expect(t.accessToken).toBe((await token(id)).accessToken);
    // Without userId nothing is echoed: a caller can tell a checked reply from an unchecked one.
    expect((await token(id)).userId).toBeUndefined();
  });

  it('404 for a foreign or unknown account, like accounts.get; 409 for the owner of a disconnected one', async () => {
    const id = accountIdOf((await h.connect('own-user', 'own2')).redirectTo);
    await expect(owned('intruder', id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await expect(callRpc(h.bus, authAccountsGet.subject, { userId: 'intruder', accountId: id }, authAccountsGet.output)).rejects.toMatchObject({ code: 'not_found' });
    await expect(owned('own-user', 'no-such-account')).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await callRpc(h.bus, authAccountsDisconnect.subject, { userId: 'own-user', accountId: id }, authAccountsDisconnect.output, { timeoutMs: 20_000 });
    await expect(owned('own-user', id)).rejects.toMatchObject({ code: 'reauthorization_required', status: 409 });
    // Ownership first: a foreign disconnected account stays 404 (its state is not revealed).
    await expect(owned('intruder', id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
  });
});

describe('disconnect and webhook', () => {
  it('disconnect revokes at TikTok (refreshing first when expired) and records reason user', async () => {
    const id = accountIdOf((await h.connect('dc-user', 'dc1')).redirectTo);
    h.clock.ms += 3 * 3600_000;
    await expect(callRpc(h.bus, authAccountsDisconnect.subject, { userId: 'someone-else', accountId: id }, authAccountsDisconnect.output)).rejects.toMatchObject({ code: 'not_found' });
    await callRpc(h.bus, authAccountsDisconnect.subject, { userId: 'dc-user', accountId: id }, authAccountsDisconnect.output, { timeoutMs: 20_000 });
    const latest = h.spy.issued.at(-1);
    await expect(h.real.refresh(latest?.refreshToken ?? '')).rejects.toMatchObject({ code: 'invalid_grant' });
    expect((await streamEvents(id)).at(-1)).toMatchObject({ type: 'AccountDisconnected', data: { reason: 'user' } });
    const rows = await h.db.withSchema(h.schema).selectFrom('account_tokens').select('account_id').where('account_id', '=', id).execute();
    expect(rows).toHaveLength(0);
  });

  it('authorization.removed disconnects at once, duplicates change nothing', async () => {
    const id = accountIdOf((await h.connect('wh-user', 'wh1')).redirectTo);
    const hook = { client_key: h.config.clientKey, event: 'authorization.removed', create_time: Math.floor(Date.now() / 1000), user_openid: 'wh1', content: '{"reason":1}' };
    await callRpc(h.bus, authWebhook.subject, hook, authWebhook.output);
    await callRpc(h.bus, authWebhook.subject, hook, authWebhook.output);
    const disconnects = (await streamEvents(id)).filter((e) => e.type === 'AccountDisconnected');
    expect(disconnects).toHaveLength(1);
    expect(disconnects[0]).toMatchObject({ data: { reason: 'revoked_at_tiktok', openId: 'wh1' } });
    await expect(token(id)).rejects.toMatchObject({ code: 'reauthorization_required' });
  });
});

describe('outbox', () => {
  it('publishes the account events to JetStream as public envelopes without tokens', async () => {
    const id = accountIdOf((await h.connect('relay-user', 'relay1')).redirectTo);
    const seen: Array<{ subject: string; body: string }> = [];
    const sub = await h.bus.consume({
      stream: 'TIKTOK_AUTH',
      durable: 'test--auth-events',
      filterSubject: 'tiktok.account.>',
      handler: async (m) => {
        seen.push({ subject: m.subject, body: new TextDecoder().decode(m.data) });
        m.ack();
      },
    });
    try {
      const deadline = Date.now() + 10_000;
      while (!seen.some((m) => m.body.includes(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await sub.stop();
    }
    const mine = seen.find((m) => m.body.includes(id));
    expect(mine?.subject).toMatch(/tiktok\.account\.connected\.v1$/);
    expect(JSON.parse(mine?.body ?? '{}')).toMatchObject({ type: 'AccountConnected', streamId: `account-${id}`, data: { accountId: id, userId: 'relay-user', openId: 'relay1' } });
    for (const s of h.spy.issued) expect(mine?.body.includes(s.accessToken) || mine?.body.includes(s.refreshToken)).toBe(false);
  });
});

describe('secrets stay secret', () => {
  it('no issued token in any text/jsonb column of the schema, nor in the logs', async () => {
    expect(h.spy.issued.length).toBeGreaterThan(5);
    const secrets = h.spy.issued.flatMap((s) => [s.accessToken, s.refreshToken]);
    const cols = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = ${h.schema} and data_type in ('text', 'jsonb', 'json', 'character varying')`.execute(h.db);
    expect(cols.rows.length).toBeGreaterThan(5);
    let scanned = 0;
    for (const c of cols.rows) {
      const values = await sql<{ v: string | null }>`select ${sql.id(c.column_name)}::text as v from ${sql.id(h.schema)}.${sql.id(c.table_name)}`.execute(h.db);
      for (const { v } of values.rows) {
        if (v === null) continue;
        scanned++;
        for (const s of secrets) expect(v.includes(s), `${c.table_name}.${c.column_name}`).toBe(false);
      }
    }
    expect(scanned).toBeGreaterThan(20);
    const logs = h.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const s of secrets) expect(logs.includes(s)).toBe(false);
  });
});
