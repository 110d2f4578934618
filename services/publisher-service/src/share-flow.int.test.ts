import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import { adminRpc, publisherSharesCreate, publisherSharesGet, quotaStatus } from '@tiktok-share/contracts/rpc.ts';
import type { ShareView } from '@tiktok-share/contracts/rest.ts';
import { makeVideo } from '../../../test/fixtures/make-video.ts';
import { createHarness, USER, type Harness } from './testing/harness.int.ts';

let h: Harness;

beforeAll(async () => {
  h = await createHarness([
    { accountId: 'acc-public', creator: 'public1', status: 'connected' },
    // A second creator so no creator needs more than 6 inits in a minute (the real rate window).
    { accountId: 'acc-public2', creator: 'public2', status: 'connected' },
    { accountId: 'acc-short', creator: 'short1', status: 'connected' },
    { accountId: 'acc-stale', creator: 'pubx', status: 'reauthorization_required' },
    { accountId: 'acc-ledger', creator: 'ledger1', status: 'connected' },
    { accountId: 'acc-ledger2', creator: 'ledger2', status: 'connected' },
    { accountId: 'acc-race', creator: 'race1', status: 'connected' },
  ], {}, {}, { peers: 'real' });
  await makeVideo(join(h.mediaRoot, 'small.mp4'), { container: 'mp4', sizeBytes: 3_000_000, durationSec: 20, filled: true });
  await makeVideo(join(h.mediaRoot, 'multi.mp4'), { container: 'mp4', sizeBytes: 23_000_000, durationSec: 30, filled: true });
  await makeVideo(join(h.mediaRoot, 'long.webm'), { container: 'webm', sizeBytes: 200_000, durationSec: 90, filled: true });
  await h.startService();
});
afterAll(async () => { await h?.close(); });

/** `accountId` in `over` is an alias of the harness (the real auth-service made the ids). */
const body = (over: Record<string, unknown> = {}) => {
  const b: Record<string, unknown> = { accountId: 'acc-public', mode: 'direct', video: { path: 'small.mp4' }, title: 'hello #ai', privacyLevel: 'SELF_ONLY', ...over };
  return { ...b, accountId: h.acc(String(b.accountId)) };
};
let keyN = 0;
const create = (b: Record<string, unknown>, key = `k-${++keyN}`) =>
  callRpc(h.nats.bus, publisherSharesCreate.subject, { userId: USER, idempotencyKey: key, request: b }, publisherSharesCreate.output, { timeoutMs: 15_000 });
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code);

async function waitFinal(shareId: string, ms = 30_000): Promise<ShareView> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await callRpc(h.nats.bus, publisherSharesGet.subject, { userId: USER, shareId }, publisherSharesGet.output);
    if (['published', 'in_inbox', 'failed'].includes(v.status) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
const sha = async (name: string) => createHash('sha256').update(await readFile(join(h.mediaRoot, name))).digest('hex');
async function publishOf(publishId: string | null) {
  return (await h.state()).publishes.find((p) => p.publishId === publishId);
}

describe('share saga against the emulator', () => {
  it('publishes a 3 MB video in one chunk; the emulator has the same bytes', async () => {
    const accepted = await create(body());
    expect(accepted).toMatchObject({ status: 'requested', mode: 'direct', privacyLevel: 'SELF_ONLY', isAigc: true, videoSize: 3_000_000 });
    const done = await waitFinal(accepted.shareId);
    expect(done).toMatchObject({ status: 'published', chunksUploaded: 1, totalChunks: 1, uploadedBytes: 3_000_000 });
    expect((await publishOf(done.publishId))?.sha256).toBe(await sha('small.mp4'));
  });

  it('publishes a 23 MB video in several chunks', async () => {
    const done = await waitFinal((await create(body({ video: { path: 'multi.mp4' }, isAigc: false }))).shareId);
    expect(done).toMatchObject({ status: 'published', chunksUploaded: 2, totalChunks: 2, uploadedBytes: 23_000_000, isAigc: false });
    expect((await publishOf(done.publishId))?.sha256).toBe(await sha('multi.mp4'));
    expect((await h.state()).violations).toEqual([]);
  });

  it('retries a chunk after a 503 and after a connection reset: one post', async () => {
    await h.control('faults', { endpoint: 'upload', status: 503, times: 1 });
    await h.control('faults', { endpoint: 'upload', reset: true, times: 1 });
    const before = (await h.state()).publishes.length;
    const done = await waitFinal((await create(body({ video: { path: 'multi.mp4' } }))).shareId);
    expect(done.status).toBe('published');
    expect((await h.state()).publishes.length).toBe(before + 1);
    expect((await publishOf(done.publishId))?.sha256).toBe(await sha('multi.mp4'));
  });

  it('a draft ends in_inbox', async () => {
    const done = await waitFinal((await create(body({ mode: 'draft', privacyLevel: undefined }))).shareId);
    expect(done).toMatchObject({ status: 'in_inbox', privacyLevel: null });
    expect((await publishOf(done.publishId))?.mode).toMatch(/inbox|draft/);
  });

  it('an access token expired mid-way is refreshed and the share completes', async () => {
    await h.control('expire-tokens', {});
    const done = await waitFinal((await create(body({ accountId: 'acc-public2' }))).shareId);
    expect(done.status).toBe('published');
  });
});

describe('idempotency', () => {
  it('same key + same body → the same share and one post; other body → 409', async () => {
    const a = await create(body({ accountId: 'acc-public2' }), 'idem-1');
    const b = await create(body({ accountId: 'acc-public2' }), 'idem-1');
    expect(b.shareId).toBe(a.shareId);
    expect(await codeOf(create(body({ accountId: 'acc-public2', title: 'other' }), 'idem-1'))).toBe('idempotency_key_reused');
    const done = await waitFinal(a.shareId);
    const posts = (await h.state()).publishes.filter((p) => p.publishId === done.publishId);
    expect(posts).toHaveLength(1);
  });

  it('two concurrent requests with one key: one share, one daily slot (the loser released its reservation)', async () => {
    const [a, b] = await Promise.all([create(body({ accountId: 'acc-race' }), 'idem-race'), create(body({ accountId: 'acc-race' }), 'idem-race')]);
    expect(b.shareId).toBe(a.shareId);
    // The loser releases before it answers, so the ledger is settled now.
    expect((await quotaOf('race1')).daily.used).toBe(1);
    expect((await waitFinal(a.shareId)).status).toBe('published');
    expect((await quotaOf('race1')).daily.used).toBe(1);
  });
});

const quotaOf = (openId: string) => callRpc(h.nats.bus, quotaStatus.subject, { openId }, quotaStatus.output);

describe('quota ledger (the real quota-service)', () => {
  it('a published share consumed one daily slot; the rate windows are shown by creator', async () => {
    const done = await waitFinal((await create(body({ accountId: 'acc-ledger' }))).shareId);
    expect(done.status).toBe('published');
    const q = await quotaOf('ledger1');
    expect(q.daily).toMatchObject({ used: 1, limit: 15, remaining: 14 });
    expect(q.rate['video_init']).toMatchObject({ used: 1, limit: 6 });
    expect(q.rate['creator_info']?.used).toBeGreaterThanOrEqual(1);
  });

  it('a share that fails before init gives its slot back', async () => {
    await h.control('faults', { endpoint: 'video_init', status: 400, times: 1 });
    const done = await waitFinal((await create(body({ accountId: 'acc-ledger2' }))).shareId);
    expect(done).toMatchObject({ status: 'failed', publishId: null });
    const until = Date.now() + 10_000;
    while ((await quotaOf('ledger2')).daily.used !== 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect((await quotaOf('ledger2')).daily.used).toBe(0);
    const audit = await callRpc(h.nats.bus, adminRpc('quota').audit.subject, { shareId: done.shareId }, adminRpc('quota').audit.output);
    expect(audit.events.map((e) => e.type)).toEqual(expect.arrayContaining(['QuotaReserved', 'QuotaReleased']));
  });
});

describe('validation (DESIGN §5)', () => {
  it.each([
    ['unknown account', { accountId: 'nope' }, 'not_found'],
    ['needs reauthorization', { accountId: 'acc-stale' }, 'reauthorization_required'],
    ['privacy level not offered', { privacyLevel: 'FOLLOWER_OF_CREATOR' }, 'privacy_level_not_allowed'],
    ['branded content private', { brandContent: true }, 'branded_content_cannot_be_private'],
    ['video too long', { accountId: 'acc-short', video: { path: 'long.webm' } }, 'video_too_long'],
    ['path outside MEDIA_ROOT', { video: { path: '../../etc/passwd' } }, 'video_source_not_allowed'],
    ['URL not allowed', { video: { url: 'https://evil.example/v.mp4' } }, 'video_source_not_allowed'],
  ])('%s', async (_name, over, code) => {
    expect(await codeOf(create(body(over)))).toBe(code);
  });

  it('unaudited app: anything but SELF_ONLY is refused', async () => {
    h.config.appAudited = false;
    try {
      expect(await codeOf(create(body({ privacyLevel: 'PUBLIC_TO_EVERYONE' })))).toBe('unaudited_app_private_only');
    } finally {
      h.config.appAudited = true;
    }
  });
});
