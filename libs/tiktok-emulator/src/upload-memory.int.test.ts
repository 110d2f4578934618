/**
 * The upload host streams: a large upload over real HTTP must not grow memory by its size.
 * 512 MB (8 × 64,000,000) keeps the file fast on two cores; the code path is the same as for 1 GB+.
 */
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterEach, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from './server.ts';
import { connectCreator } from './testing.ts';

let emu: RunningEmulator | undefined;
afterEach(() => emu?.close());

it('streams 512 MB through the upload host without buffering it', async () => {
  emu = await startEmulator({ port: 0, processingDelayMs: 0 });
  const token = (await connectCreator(emu.emulator, 'public1')).access_token;
  const chunk = 64_000_000;
  const size = 8 * chunk;
  const init = await emu.emulator.app.request('/v2/post/publish/video/init/', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ post_info: { privacy_level: 'SELF_ONLY' }, source_info: { source: 'FILE_UPLOAD', video_size: size, chunk_size: chunk, total_chunk_count: 8 } }),
  });
  const { data } = (await init.json()) as { data: { upload_url: string; publish_id: string } };
  const piece = new Uint8Array(1 << 20).fill(42); // one reused 1 MiB buffer on the sending side
  async function* body(length: number) {
    for (let sent = 0; sent < length; sent += piece.byteLength) yield piece.subarray(0, Math.min(piece.byteLength, length - sent));
  }
  global.gc?.();
  const before = process.memoryUsage();
  let peak = 0;
  for (let i = 0; i < 8; i++) {
    const start = i * chunk;
    const res = await request(data.upload_url, {
      method: 'PUT',
      headers: { 'content-range': `bytes ${start}-${start + chunk - 1}/${size}`, 'content-length': String(chunk), 'content-type': 'video/mp4' },
      body: Readable.from(body(chunk)),
    });
    await res.body.dump();
    expect(res.statusCode).toBe(i === 7 ? 201 : 206);
    const now = process.memoryUsage();
    peak = Math.max(peak, now.heapUsed + now.arrayBuffers - before.heapUsed - before.arrayBuffers);
  }
  expect(emu.emulator.state.publishes.get(data.publish_id)?.bytesReceived).toBe(size);
  // Buffering even one chunk would show ≥ 64 MB; the whole upload would be 512 MB.
  expect(peak).toBeLessThan(60 * 1024 * 1024); // garbage not yet collected included
});
