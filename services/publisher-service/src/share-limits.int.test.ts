import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import { publisherSharesCreate, publisherSharesGet } from '@tiktok-share/contracts/rpc.ts';
import type { ShareView } from '@tiktok-share/contracts/rest.ts';
import { makeVideo } from '../../../test/fixtures/make-video.ts';
import { startWorker } from './application/worker.ts';
import type { FetchLike } from './adapters/media/range-blob.ts';
import { createHarness, USER, type Harness } from './testing/harness.int.ts';

let h: Harness;
let files: Server;
let port = 0;
/** https://videos.test/… → a local range-capable file server (the probe needs https + allowlist). */
const fetchVia: FetchLike = (url, init) => fetch(url.replace('https://videos.test', `http://127.0.0.1:${port}`), init);

beforeAll(async () => {
  h = await createHarness([{ accountId: 'acc', creator: 'limits1', status: 'connected' }], { verifiedUrlPrefixes: ['https://videos.test/v/'] }, {
    mediaUrlAllowlist: ['videos.test'], verifiedUrlPrefixes: ['https://videos.test/v/'],
  });
  await makeVideo(join(h.mediaRoot, 'a.mp4'), { container: 'mp4', sizeBytes: 3_000_000, durationSec: 10, filled: true });
  files = createServer((req, res) => {
    const file = join(h.mediaRoot, 'a.mp4');
    const size = statSync(file).size;
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!m) { res.writeHead(416).end(); return; }
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), size - 1);
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
    createReadStream(file, { start, end }).pipe(res);
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', () => { port = (files.address() as { port: number }).port; r(); }));
});
afterAll(async () => {
  files?.close();
  await h?.close();
});

const create = (b: Record<string, unknown>, key: string) =>
  callRpc(h.nats.bus, publisherSharesCreate.subject, { userId: USER, idempotencyKey: key, request: { accountId: 'acc', mode: 'direct', privacyLevel: 'SELF_ONLY', ...b } }, publisherSharesCreate.output, { timeoutMs: 15_000 });

async function waitFinal(shareId: string): Promise<ShareView> {
  const until = Date.now() + 20_000;
  for (;;) {
    const v = await callRpc(h.nats.bus, publisherSharesGet.subject, { userId: USER, shareId }, publisherSharesGet.output);
    if (['published', 'in_inbox', 'failed'].includes(v.status) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('limits and sources', () => {
  it('spam_risk_too_many_posts at init: failed with daily_limit_reached and the ledger told', async () => {
    const service = await h.startService({ worker: false, fetch: fetchVia });
    const accepted = await create({ video: { path: 'a.mp4' } }, 'spam-1');
    // The creator's budget is spent elsewhere between our check and the init.
    await h.control('config', { dailyPostLimit: 0 });
    const worker = startWorker(service.ctx);
    try {
      const done = await waitFinal(accepted.shareId);
      expect(done).toMatchObject({ status: 'failed', publishId: null, failure: { code: 'daily_limit_reached', retryable: true } });
      expect(h.quotaCalls.some((c) => c.op === 'exhausted' && (c.input as { code: string }).code === 'spam_risk_too_many_posts')).toBe(true);
    } finally {
      await worker.stop();
      await h.control('config', { dailyPostLimit: 15 });
    }
  });

  it('a URL under a verified prefix goes PULL_FROM_URL (no upload)', async () => {
    const service = await h.startService({ fetch: fetchVia });
    const done = await waitFinal((await create({ video: { url: 'https://videos.test/v/a.mp4' } }, 'pull-1')).shareId);
    expect(done.status).toBe('published');
    const publish = (await h.state()).publishes.find((p) => p.publishId === done.publishId);
    expect(publish?.source).toBe('PULL_FROM_URL');
    await service.stop();
  });

  it('a URL outside the verified prefixes is streamed by range requests (FILE_UPLOAD)', async () => {
    await h.startService({ fetch: fetchVia });
    const done = await waitFinal((await create({ video: { url: 'https://videos.test/other/a.mp4' } }, 'url-1')).shareId);
    expect(done).toMatchObject({ status: 'published', uploadedBytes: 3_000_000 });
    const publish = (await h.state()).publishes.find((p) => p.publishId === done.publishId);
    expect(publish?.source).toBe('FILE_UPLOAD');
  });
});
