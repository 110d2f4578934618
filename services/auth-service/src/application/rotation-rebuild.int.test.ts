import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { callRpc } from '@tiktok-share/messaging';
import { adminRpc, authAccountsList } from '@tiktok-share/contracts/rpc.ts';
import { accountIdOf, createHarness, type Harness } from '../testing/harness.int.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.cleanup();
});

const storedJwe = async (id: string) =>
  String((await h.db.withSchema(h.schema).selectFrom('account_tokens').select('access_token_enc').where('account_id', '=', id).executeTakeFirstOrThrow())['access_token_enc']);

describe('key rotation', () => {
  it('an instance with a new first key reads old ciphertexts and re-encrypts them on use', async () => {
    const id = accountIdOf((await h.connect('rot-user', 'rot1')).redirectTo);
    const before = decodeProtectedHeader(await storedJwe(id));
    expect(before).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
    const rotated = await h.secondInstance({ encryptionKeys: `${randomBytes(32).toString('base64url')},${h.config.encryptionKeys}` });
    const t = await rotated.token(id);
    expect(t.accessToken).toBe(h.spy.issued.at(-1)?.accessToken);
    const after = decodeProtectedHeader(await storedJwe(id));
    expect(after.kid).not.toBe(before.kid);
    expect((await rotated.token(id)).accessToken).toBe(t.accessToken);
  });
});

describe('read model', () => {
  it('rebuild replays the events into the same rows', async () => {
    await h.connect('rb-user', 'rb1');
    await h.connect('rb-user', 'rb2');
    const before = await callRpc(h.bus, authAccountsList.subject, { userId: 'rb-user' }, authAccountsList.output);
    expect(before.accounts).toHaveLength(2);
    await h.db.withSchema(h.schema).updateTable('accounts').set({ status: 'disconnected' }).execute(); // drift
    const { done } = h.service.rebuild();
    await done;
    const after = await callRpc(h.bus, authAccountsList.subject, { userId: 'rb-user' }, authAccountsList.output);
    expect(after).toEqual(before);
  });

  it('admin events pages through the log and health reports db and bus', async () => {
    const admin = adminRpc('auth');
    const page = await callRpc(h.bus, admin.events.subject, { limit: 2 }, admin.events.output);
    expect(page.items).toHaveLength(2);
    expect(page.next).not.toBeNull();
    const next = await callRpc(h.bus, admin.events.subject, { limit: 2, after: page.next }, admin.events.output);
    expect(next.items[0]?.id).not.toBe(page.items[0]?.id);
    expect(await callRpc(h.bus, admin.health.subject, {}, admin.health.output)).toEqual({ service: 'auth', db: true, bus: true });
    expect(await callRpc(h.bus, admin.rebuild.subject, {}, admin.rebuild.output)).toEqual({ started: true });
  });
});
