/**
 * An account disconnected while TikTok is still processing its share: the share can no longer be
 * followed (auth answers reauthorization_required / not_found for its token). It must end `failed`
 * with a clear code instead of being retried forever by the worker.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import { authAccountsDisconnect, publisherSharesCreate, publisherSharesGet } from '@tiktok-share/contracts/rpc.ts';
import type { ShareView } from '@tiktok-share/contracts/rest.ts';
import { makeVideo } from '../../../test/fixtures/make-video.ts';
import { createHarness, USER, type Harness } from './testing/harness.int.ts';

let h: Harness;

beforeAll(async () => {
  // TikTok takes long enough to process that the disconnect lands in the middle.
  h = await createHarness([{ accountId: 'acc-gone', creator: 'gone1', status: 'connected' }], { processingDelayMs: 60_000 }, { statusPollMs: 100, statusPollMaxMs: 200 }, { peers: 'real' });
  await makeVideo(join(h.mediaRoot, 'clip.mp4'), { container: 'mp4', sizeBytes: 400_000, durationSec: 10, filled: true });
  await h.startService();
});
afterAll(async () => { await h?.close(); });

const view = (shareId: string) => callRpc(h.nats.bus, publisherSharesGet.subject, { userId: USER, shareId }, publisherSharesGet.output);

async function waitFor(shareId: string, ok: (v: ShareView) => boolean, ms = 20_000): Promise<ShareView> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await view(shareId);
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('account disconnected while TikTok processes the share', () => {
  it('fails the share with reauthorization_required instead of polling forever', async () => {
    const accountId = h.acc('acc-gone');
    const share = await callRpc(h.nats.bus, publisherSharesCreate.subject, {
      userId: USER, idempotencyKey: 'gone-1',
      request: { accountId, mode: 'direct', video: { path: 'clip.mp4' }, title: 'soon gone', privacyLevel: 'SELF_ONLY', disableComment: false, disableDuet: false, disableStitch: false, brandContent: false, brandOrganic: false, isAigc: true },
    }, publisherSharesCreate.output, { timeoutMs: 15_000 });
    expect((await waitFor(share.shareId, (v) => v.status === 'processing')).status).toBe('processing');

    await callRpc(h.nats.bus, authAccountsDisconnect.subject, { userId: USER, accountId }, authAccountsDisconnect.output, { timeoutMs: 15_000 });

    const done = await waitFor(share.shareId, (v) => v.status === 'failed');
    expect(done.status).toBe('failed');
    expect(done.failure).toMatchObject({ code: 'reauthorization_required', retryable: false });
  });
});
