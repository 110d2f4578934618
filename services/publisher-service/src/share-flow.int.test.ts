import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import { publisherSharesCreate, publisherSharesGet } from '@tiktok-share/contracts/rpc.ts';
import type { ShareView } from '@tiktok-share/contracts/rest.ts';
import { makeVideo } from '../../../test/fixtures/make-video.ts';
import { createHarness, USER, type Harness } from './testing/harness.int.ts';

let h: Harness;

beforeAll(async () => {
  h = await createHarness([
    { accountId: 'acc-public', creator: 'public1', status: 'connected' },
    { accountId: 'acc-short', creator: 'short1', status: 'connected' },
    { accountId: 'acc-stale', creator: 'pubx', status: 'reauthorization_required' },
  ]);
  await makeVideo(join(h.mediaRoot, 'small.mp4'), { container: 'mp4', sizeBytes: 3_000_000, durationSec: 20, filled: true });
  await makeVideo(join(h.mediaRoot, 'multi.mp4'), { container: 'mp4', sizeBytes: 23_000_000, durationSec: 30, filled: true });
  await makeVideo(join(h.mediaRoot, 'long.webm'), { container: 'webm', sizeBytes: 200_000, durationSec: 90, filled: true });
  await h.startService();
});
afterAll(async () => { await h?.close(); });

const body = (over: Record<string, unknown> = {}) => ({ accountId: 'acc-public', mode: 'direct', video: { path: 'small.mp4' }, title: 'hello #ai', privacyLevel: 'SELF_ONLY', ...over });
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
    const done = await waitFinal((await create(body())).shareId);
    expect(done.status).toBe('published');
  });
});

describe('idempotency', () => {
  it('same key + same body → the same share and one post; other body → 409', async () => {
    const a = await create(body(), 'idem-1');
    const b = await create(body(), 'idem-1');
    expect(b.shareId).toBe(a.shareId);
    expect(await codeOf(create(body({ title: 'other' }), 'idem-1'))).toBe('idempotency_key_reused');
    const done = await waitFinal(a.shareId);
    const posts = (await h.state()).publishes.filter((p) => p.publishId === done.publishId);
    expect(posts).toHaveLength(1);
  });

  it('two concurrent requests with one key: one share, the loser\'s reservation released', async () => {
    const [a, b] = await Promise.all([create(body(), 'idem-race'), create(body(), 'idem-race')]);
    expect(b.shareId).toBe(a.shareId);
    // Either both passed the look-up (two reserves, the loser released) or the second replayed.
    const mine = h.quotaCalls.filter((c) => (c.input as { shareId?: string }).shareId !== undefined);
    const reserved = mine.filter((c) => c.op === 'reserve').map((c) => (c.input as { shareId: string }).shareId);
    const released = mine.filter((c) => c.op === 'release').map((c) => (c.input as { shareId: string }).shareId);
    const kept = reserved.filter((id) => !released.includes(id));
    expect(kept).toContain(a.shareId);
    expect(released).not.toContain(a.shareId);
    expect((await waitFinal(a.shareId)).status).toBe('published');
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
