/**
 * `tiktok.rpc.publisher.webhook` with the real auth and quota services: each post.publish.* event
 * finishes a share the worker is following (the emulator never finishes processing by itself here),
 * post ids beyond 2^53 keep every digit, and a redelivery (same `webhook-dedupe-id`) changes nothing.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import { publisherSharesCreate, publisherSharesGet, publisherWebhook } from '@tiktok-share/contracts/rpc.ts';
import type { ShareView } from '@tiktok-share/contracts/rest.ts';
import { makeVideo } from '../../../test/fixtures/make-video.ts';
import { createHarness, USER, type Harness } from './testing/harness.int.ts';

let h: Harness;
const ACCOUNTS = ['wh-complete', 'wh-failed', 'wh-public', 'wh-inbox', 'wh-dup', 'wh-early'];

beforeAll(async () => {
  h = await createHarness(ACCOUNTS.map((a) => ({ accountId: a, creator: a, status: 'connected' as const })), { processingDelayMs: 600_000 }, {}, { peers: 'real' });
  await makeVideo(join(h.mediaRoot, 'v.mp4'), { container: 'mp4', sizeBytes: 1_000_000, durationSec: 5, filled: true });
  await h.startService();
});
afterAll(async () => { await h?.close(); });

const get = (shareId: string) => callRpc(h.nats.bus, publisherSharesGet.subject, { userId: USER, shareId }, publisherSharesGet.output);

async function waitStatus(shareId: string, statuses: string[]): Promise<ShareView> {
  const until = Date.now() + 20_000;
  for (;;) {
    const v = await get(shareId);
    if (statuses.includes(v.status)) return v;
    if (Date.now() > until) throw new Error(`share stayed ${v.status}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

/** A share uploaded and waiting for TikTok (status `processing`). */
async function processingShare(alias: string, mode: 'direct' | 'draft' = 'direct'): Promise<ShareView> {
  const request = { accountId: h.acc(alias), mode, video: { path: 'v.mp4' }, ...(mode === 'direct' ? { privacyLevel: 'SELF_ONLY' } : {}) };
  const accepted = await callRpc(h.nats.bus, publisherSharesCreate.subject, { userId: USER, idempotencyKey: `wh-${alias}`, request }, publisherSharesCreate.output, { timeoutMs: 15_000 });
  return waitStatus(accepted.shareId, ['processing']);
}

/** Sent as the gateway forwards it: `content` is a JSON string, the header is sha256 of the raw body. */
function send(event: string, openId: string, content: string) {
  const hook = { client_key: h.config.clientKey, event, create_time: Math.floor(Date.now() / 1000), user_openid: openId, content };
  const dedupe = createHash('sha256').update(JSON.stringify(hook)).digest('hex');
  return { dedupe, done: callRpc(h.nats.bus, publisherWebhook.subject, hook, publisherWebhook.output, { headers: { 'webhook-dedupe-id': dedupe } }), hook };
}

const eventCount = async (shareId: string) =>
  Number((await sql<{ n: string }>`select count(*)::text as n from ${sql.id(h.schema)}.es_events where stream_id = ${`share-${shareId}`}`.execute(h.db.db)).rows[0]?.n);

describe('post.publish.* webhooks', () => {
  it('complete → published', async () => {
    const s = await processingShare('wh-complete');
    await send('post.publish.complete', 'wh-complete', JSON.stringify({ publish_id: s.publishId, publish_type: 'DIRECT_PUBLISH' })).done;
    expect(await waitStatus(s.shareId, ['published', 'failed'])).toMatchObject({ status: 'published', failure: null });
  });

  it('failed → failed with the mapped code', async () => {
    const s = await processingShare('wh-failed');
    await send('post.publish.failed', 'wh-failed', JSON.stringify({ publish_id: s.publishId, reason: 'spam_risk_user_banned_from_posting', publish_type: 'DIRECT_PUBLISH' })).done;
    expect(await waitStatus(s.shareId, ['published', 'failed'])).toMatchObject({
      status: 'failed', failure: { code: 'creator_banned_from_posting', retryable: false },
    });
  });

  it('publicly_available → published with the post id, every digit kept; later ids are added', async () => {
    const s = await processingShare('wh-public');
    await send('post.publish.publicly_available', 'wh-public', `{"publish_id":"${s.publishId}","post_id":7351234567890123456}`).done;
    expect(await waitStatus(s.shareId, ['published'])).toMatchObject({ postIds: ['7351234567890123456'] });
    await send('post.publish.publicly_available', 'wh-public', `{"publish_id":"${s.publishId}","post_id":7351234567890123457}`).done;
    expect((await get(s.shareId)).postIds).toEqual(['7351234567890123456', '7351234567890123457']);
  });

  it('inbox_delivered → a draft ends in_inbox', async () => {
    const s = await processingShare('wh-inbox', 'draft');
    await send('post.publish.inbox_delivered', 'wh-inbox', JSON.stringify({ publish_id: s.publishId, publish_type: 'INBOX_SHARE' })).done;
    expect(await waitStatus(s.shareId, ['in_inbox', 'failed'])).toMatchObject({ status: 'in_inbox' });
  });

  it('a redelivered webhook (same dedupe id) changes nothing; the inbox holds it once', async () => {
    const s = await processingShare('wh-dup');
    const content = `{"publish_id":"${s.publishId}","post_id":42}`;
    const first = send('post.publish.publicly_available', 'wh-dup', content);
    await first.done;
    await waitStatus(s.shareId, ['published']);
    const events = await eventCount(s.shareId);
    const view = await get(s.shareId);
    // TikTok retries the very same delivery, twice at once.
    const replay = () => callRpc(h.nats.bus, publisherWebhook.subject, first.hook, publisherWebhook.output, { headers: { 'webhook-dedupe-id': first.dedupe } });
    await Promise.all([replay(), replay()]);
    expect(await eventCount(s.shareId)).toBe(events);
    expect(await get(s.shareId)).toEqual(view);
    const inbox = await sql<{ n: string }>`select count(*)::text as n from ${sql.id(h.schema)}.es_inbox where consumer = 'webhooks' and message_id = ${first.dedupe}`.execute(h.db.db);
    expect(inbox.rows[0]?.n).toBe('1');
  });

  it('a webhook that arrives before the last chunk is recorded asks for redelivery instead of being dropped', async () => {
    // Hold the upload PUT so the share sits in `uploading` with its publish id known.
    await h.control('faults', { endpoint: 'upload', delayMs: 1500, times: 1 });
    const request = { accountId: h.acc('wh-early'), mode: 'direct', video: { path: 'v.mp4' }, privacyLevel: 'SELF_ONLY' };
    const accepted = await callRpc(h.nats.bus, publisherSharesCreate.subject, { userId: USER, idempotencyKey: 'wh-early', request }, publisherSharesCreate.output, { timeoutMs: 15_000 });
    const uploading = await waitStatus(accepted.shareId, ['uploading']);
    const content = JSON.stringify({ publish_id: uploading.publishId, post_id: '7300000000000000042', publish_type: 'DIRECT_PUBLISH' });
    await expect(send('post.publish.publicly_available', 'wh-early', content).done).rejects.toMatchObject({ code: 'share_not_ready', status: 503 });
    expect((await get(accepted.shareId)).status).toBe('uploading');
    // TikTok's redelivery once the share caught up finishes it with the post id.
    await waitStatus(accepted.shareId, ['processing']);
    await send('post.publish.publicly_available', 'wh-early', content).done;
    expect(await waitStatus(accepted.shareId, ['published'])).toMatchObject({ status: 'published', postIds: ['7300000000000000042'] });
  });

  it('a webhook about an unknown publish is acknowledged and ignored', async () => {
    await expect(send('post.publish.complete', 'wh-dup', '{"publish_id":"v_pub_unknown"}').done).resolves.toEqual({});
  });
});
