import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import { publisherSharesCreate, publisherSharesGet } from '@tiktok-share/contracts/rpc.ts';
import { makeVideo } from '../../../test/fixtures/make-video.ts';
import { createHarness, USER, type Harness } from './testing/harness.int.ts';

let h: Harness;
const SIZE = 1_000_000_000;

beforeAll(async () => {
  h = await createHarness([{ accountId: 'acc', creator: 'big1', status: 'connected' }]);
  await makeVideo(join(h.mediaRoot, 'big.mp4'), { container: 'mp4', sizeBytes: SIZE, durationSec: 40 });
  await h.startService();
});
afterAll(async () => { await h?.close(); });

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const b of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(b as Buffer);
  return hash.digest('hex');
}

describe('1 GB sparse video', () => {
  it('is published with the same bytes and bounded memory', async () => {
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    try {
      const accepted = await callRpc(h.nats.bus, publisherSharesCreate.subject,
        { userId: USER, idempotencyKey: 'big', request: { accountId: 'acc', mode: 'direct', privacyLevel: 'SELF_ONLY', video: { path: 'big.mp4' } } },
        publisherSharesCreate.output, { timeoutMs: 15_000 });
      let view = accepted;
      const until = Date.now() + 120_000;
      while (!['published', 'failed'].includes(view.status) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 200));
        view = await callRpc(h.nats.bus, publisherSharesGet.subject, { userId: USER, shareId: accepted.shareId }, publisherSharesGet.output);
      }
      expect(view).toMatchObject({ status: 'published', uploadedBytes: SIZE, totalChunks: 100, chunksUploaded: 100 });
      const growth = peak - base;
      // ≤ 2 × chunk size + 64 MB (the emulator runs in this process too and hashes as it receives).
      expect(growth).toBeLessThanOrEqual(2 * 10_000_000 + 64 * 1024 * 1024);
      const publish = (await h.state()).publishes.find((p) => p.publishId === view.publishId);
      expect(publish?.sha256).toBe(await sha256File(join(h.mediaRoot, 'big.mp4')));
    } finally {
      clearInterval(sampler);
    }
  }, 180_000);
});
