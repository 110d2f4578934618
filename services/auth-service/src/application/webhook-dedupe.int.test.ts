/**
 * A redelivered `authorization.removed` (same body, same `webhook-dedupe-id`) changes nothing —
 * even after the creator reconnected, when the account's state alone could not tell the old
 * removal from a new one.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { callRpc } from '@tiktok-share/messaging';
import { authAccountsGet, authWebhook } from '@tiktok-share/contracts/rpc.ts';
import { accountIdOf, createHarness, type Harness } from '../testing/harness.int.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.cleanup();
});

const removal = (openId: string, createTime: number) => ({ client_key: h.config.clientKey, event: 'authorization.removed', create_time: createTime, user_openid: openId, content: '{"reason":1}' });
/** As the gateway forwards it: the dedupe id is sha256 of the raw body. */
const deliver = (hook: ReturnType<typeof removal>) => {
  const raw = JSON.stringify(hook);
  return callRpc(h.bus, authWebhook.subject, hook, authWebhook.output, { headers: { 'webhook-dedupe-id': createHash('sha256').update(raw).digest('hex') } });
};
const status = async (userId: string, accountId: string) => (await callRpc(h.bus, authAccountsGet.subject, { userId, accountId }, authAccountsGet.output)).status;
const disconnects = async (accountId: string) =>
  (await h.db.withSchema(h.schema).selectFrom('es_events').select('type').where('stream_id', '=', `account-${accountId}`).execute()).filter((e) => e.type === 'AccountDisconnected').length;

describe('webhook dedupe (inbox keyed by webhook-dedupe-id)', () => {
  it('a redelivery after the creator reconnected does not end the new connection', async () => {
    const first = accountIdOf((await h.connect('dd-user', 'dedupe1')).redirectTo);
    const hook = removal('dedupe1', Math.floor(Date.now() / 1000));
    await deliver(hook);
    expect(await status('dd-user', first)).toBe('disconnected');

    const again = accountIdOf((await h.connect('dd-user', 'dedupe1')).redirectTo);
    expect(await status('dd-user', again)).toBe('connected');
    const before = await disconnects(again);
    await deliver(hook); // TikTok retries the same delivery
    expect(await status('dd-user', again)).toBe('connected');
    expect(await disconnects(again)).toBe(before);

    const { rows } = await sql<{ n: string }>`select count(*)::text as n from ${sql.id(h.schema)}.es_inbox where consumer = 'webhooks'
      and message_id = ${createHash('sha256').update(JSON.stringify(hook)).digest('hex')}`.execute(h.db);
    expect(rows[0]?.n).toBe('1');

    // A new removal (another body) is a new fact and is applied.
    await deliver(removal('dedupe1', Math.floor(Date.now() / 1000) + 1));
    expect(await status('dd-user', again)).toBe('disconnected');
  });
});
