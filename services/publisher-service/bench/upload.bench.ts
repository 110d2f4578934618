/**
 * Upload benchmark (DESIGN §9): `sizeBytes` of a sparse MP4 through the publisher's upload path
 * (chunk source + putWithRetry, the code the saga runs) to the emulator, beside a bare undici PUT
 * of the same byte ranges to the same endpoint, in the same run. Reports the throughput ratio and
 * the peak RSS growth against the target 2 × chunk size + 64 MB.
 *
 *   npx tsx services/publisher-service/bench/upload.bench.ts [sizeBytes]
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { request } from 'undici';
import { createTikTokClient, planChunks, type ChunkPlan, type TikTokClient } from '@tiktok-share/tiktok';
import { connectCreator, startEmulator } from '@tiktok-share/tiktok-emulator';
import { makeVideo } from '../../../test/fixtures/make-video.ts';
import { chunkSourceFor } from '../src/adapters/media/chunk-source.ts';
import { putWithRetry } from '../src/application/upload-chunks.ts';
import { DEFAULT_PUBLISHER_CONFIG } from '../src/application/context.ts';

export interface UploadBenchResult {
  sizeBytes: number;
  chunkSize: number;
  publisherMBps: number;
  baselineMBps: number;
  /** publisher / baseline throughput (target ≥ 0.9). */
  ratio: number;
  peakRssGrowthBytes: number;
  rssLimitBytes: number;
}

function rssSampler() {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
  return { stop: () => { clearInterval(timer); return Math.max(0, peak - base); } };
}

async function initUpload(tiktok: TikTokClient, token: string, plan: ChunkPlan): Promise<string> {
  const init = await tiktok.initDirectPost(token, {
    postInfo: { privacyLevel: 'SELF_ONLY', disableComment: false, disableDuet: false, disableStitch: false, brandContentToggle: false, brandOrganicToggle: false, isAigc: true },
    source: { source: 'FILE_UPLOAD', videoSize: plan.videoSize, chunkSize: plan.chunkSize, totalChunkCount: plan.totalChunks },
  });
  if (!init.uploadUrl) throw new Error('no upload url');
  return init.uploadUrl;
}

/**
 * @example const r = await runUploadBench({ sizeBytes: 1_000_000_000 }); console.log(r.ratio);
 */
export async function runUploadBench(opts: { sizeBytes: number; chunkSize?: number }): Promise<UploadBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'upload-bench-'));
  const emu = await startEmulator({ processingDelayMs: 0 });
  try {
    const file = join(dir, 'bench.mp4');
    await makeVideo(file, { container: 'mp4', sizeBytes: opts.sizeBytes, durationSec: 30 });
    const tokens = await connectCreator(emu.emulator, 'bench1');
    const { clientKey, clientSecret } = emu.emulator.state.settings;
    const tiktok = createTikTokClient({ clientKey, clientSecret, apiBaseUrl: emu.url, authUrl: `${emu.url}/v2/auth/authorize/` });
    const plan = planChunks(opts.sizeBytes, opts.chunkSize ?? DEFAULT_PUBLISHER_CONFIG.chunkSize);
    const ctx = { tiktok, config: { ...DEFAULT_PUBLISHER_CONFIG, mediaRoot: dir, workerId: 'bench' }, logger: pino({ level: 'silent' }), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

    // Baseline first (warms the page cache and the emulator equally for both runs).
    const baseUrl = await initUpload(tiktok, tokens.access_token, plan);
    const t0 = performance.now();
    for (const c of plan.chunks) {
      const res = await request(baseUrl, {
        method: 'PUT',
        headers: { 'content-type': 'video/mp4', 'content-length': String(c.length), 'content-range': `bytes ${c.start}-${c.end}/${plan.videoSize}` },
        body: createReadStream(file, { start: c.start, end: c.end, highWaterMark: 1 << 20 }),
      });
      await res.body.dump();
      if (res.statusCode !== 206 && res.statusCode !== 201) throw new Error(`baseline PUT answered ${res.statusCode}`);
    }
    const baselineMs = performance.now() - t0;

    const url = await initUpload(tiktok, tokens.access_token, plan);
    const source = chunkSourceFor({ kind: 'path', absolutePath: file });
    const rss = rssSampler();
    const t1 = performance.now();
    for (const c of plan.chunks) {
      const r = await putWithRetry(ctx, url, c, plan.videoSize, source, 'video/mp4');
      if (r.kind !== 'ok') throw new Error(`publisher upload failed: ${r.kind}`);
    }
    const publisherMs = performance.now() - t1;
    const peakRssGrowthBytes = rss.stop();
    await tiktok.close();
    const mbps = (ms: number) => opts.sizeBytes / 1e6 / (ms / 1000);
    return {
      sizeBytes: opts.sizeBytes, chunkSize: plan.chunkSize,
      publisherMBps: mbps(publisherMs), baselineMBps: mbps(baselineMs), ratio: baselineMs / publisherMs,
      peakRssGrowthBytes, rssLimitBytes: 2 * plan.chunkSize + 64 * 1024 * 1024,
    };
  } finally {
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizeBytes = Number(process.argv[2] ?? 1_000_000_000);
  runUploadBench({ sizeBytes }).then((r) => {
    console.table({
      'publisher upload': { 'MB/s': r.publisherMBps.toFixed(1) },
      'bare undici PUT': { 'MB/s': r.baselineMBps.toFixed(1) },
    });
    console.log(`ratio ${(r.ratio * 100).toFixed(1)} % (target ≥ 90 %); peak RSS growth ${(r.peakRssGrowthBytes / 2 ** 20).toFixed(1)} MiB (limit ${(r.rssLimitBytes / 2 ** 20).toFixed(1)} MiB)`);
  }, (err: unknown) => { console.error(err); process.exitCode = 1; });
}
