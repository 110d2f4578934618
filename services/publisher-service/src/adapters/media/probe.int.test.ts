import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createReadStream, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeVideo } from '../../../../../test/fixtures/make-video.ts';
import { chunkSourceFor } from './chunk-source.ts';
import { checkVideoUrl, containerOf, probeVideo } from './probe.ts';
import type { FetchLike } from './range-blob.ts';

let dir = '';
let root = '';
let server: Server;
let port = 0;
let rangeRequests = 0;

/** A plain range-capable file server; the injected fetch maps https://videos.test → it. */
function serve(): Promise<void> {
  server = createServer((req, res) => {
    const file = join(root, decodeURIComponent((req.url ?? '/').slice(1)));
    let size: number;
    try { size = statSync(file).size; } catch { res.writeHead(404).end(); return; }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!m) { res.writeHead(200, { 'content-length': size }); createReadStream(file).pipe(res); return; }
    rangeRequests++;
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), size - 1);
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1, 'content-type': 'video/mp4' });
    createReadStream(file, { start, end }).pipe(res);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => { port = (server.address() as { port: number }).port; r(); }));
}
const fetchVia: FetchLike = (url, init) => fetch(url.replace('https://videos.test', `http://127.0.0.1:${port}`), init);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'probe-'));
  root = join(dir, 'media');
  await mkdir(join(root, 'sub'), { recursive: true });
  await makeVideo(join(root, 'sub', 'a.mp4'), { container: 'mp4', sizeBytes: 300_000, durationSec: 30, filled: true });
  await makeVideo(join(root, 'b.mov'), { container: 'mov', sizeBytes: 100_000, durationSec: 9 });
  await makeVideo(join(root, 'c.webm'), { container: 'webm', sizeBytes: 100_000, durationSec: 61 });
  await makeVideo(join(root, 'big.mp4'), { container: 'mp4', sizeBytes: 2_000_000_000, durationSec: 50 });
  await makeVideo(join(dir, 'outside.mp4'), { container: 'mp4', sizeBytes: 100_000, durationSec: 5 });
  await writeFile(join(root, 'text.mp4'), 'hello, not a video at all'.repeat(100));
  await symlink(join(dir, 'outside.mp4'), join(root, 'escape.mp4'));
  await serve();
});
afterAll(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

const cfg = () => ({ mediaRoot: root, urlAllowlist: ['videos.test'], fetch: fetchVia });
const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code);

describe('probeVideo — local paths', () => {
  it('reads container, duration and size of mp4, mov and webm', async () => {
    await expect(probeVideo({ path: 'sub/a.mp4' }, cfg())).resolves.toMatchObject({ container: 'mp4', size: 300_000, durationSec: 30 });
    await expect(probeVideo({ path: 'b.mov' }, cfg())).resolves.toMatchObject({ container: 'mov', durationSec: 9 });
    await expect(probeVideo({ path: 'c.webm' }, cfg())).resolves.toMatchObject({ container: 'webm', durationSec: 61 });
  });
  it('refuses paths outside MEDIA_ROOT: .., absolute, symlink escapes', async () => {
    expect(await code(probeVideo({ path: '../outside.mp4' }, cfg()))).toBe('video_source_not_allowed');
    expect(await code(probeVideo({ path: join(dir, 'outside.mp4') }, cfg()))).toBe('video_source_not_allowed');
    expect(await code(probeVideo({ path: 'escape.mp4' }, cfg()))).toBe('video_source_not_allowed');
    expect(await code(probeVideo({ path: '../nope.mp4' }, cfg()))).toBe('video_source_not_allowed');
  });
  it('a missing file inside the root is video_not_found', async () => {
    expect(await code(probeVideo({ path: 'missing.mp4' }, cfg()))).toBe('video_not_found');
  });
  it('refuses non-videos and videos over 4 GB as unsupported_video', async () => {
    expect(await code(probeVideo({ path: 'text.mp4' }, cfg()))).toBe('unsupported_video');
    const huge = join(root, 'huge.mp4');
    await makeVideo(huge, { container: 'mp4', sizeBytes: 4 * 1024 ** 3 + 1, durationSec: 10 });
    expect(await code(probeVideo({ path: 'huge.mp4' }, cfg()))).toBe('unsupported_video');
  });
  it('a file rewritten after a probe is probed again (the remembered parse is per file version)', async () => {
    await makeVideo(join(root, 'changing.mp4'), { container: 'mp4', sizeBytes: 200_000, durationSec: 12, filled: true });
    await expect(probeVideo({ path: 'changing.mp4' }, cfg())).resolves.toMatchObject({ container: 'mp4', durationSec: 12 });
    // Same size, other duration and container: only the file's version tells them apart.
    await makeVideo(join(root, 'changing.mp4'), { container: 'mov', sizeBytes: 200_000, durationSec: 7, filled: true });
    await expect(probeVideo({ path: 'changing.mp4' }, cfg())).resolves.toMatchObject({ container: 'mov', durationSec: 7 });
    await writeFile(join(root, 'changing.mp4'), 'not a video any more');
    expect(await code(probeVideo({ path: 'changing.mp4' }, cfg()))).toBe('unsupported_video');
  });
});

describe('probeVideo — URLs', () => {
  it('probes a 2 GB remote file with a few range requests', async () => {
    rangeRequests = 0;
    await expect(probeVideo({ url: 'https://videos.test/big.mp4' }, cfg())).resolves.toMatchObject({ container: 'mp4', size: 2_000_000_000, durationSec: 50 });
    expect(rangeRequests).toBeLessThan(10);
  });
  it('refuses http, other hosts and credentials', () => {
    expect(() => checkVideoUrl('http://videos.test/a.mp4', ['videos.test'])).toThrow(expect.objectContaining({ code: 'video_source_not_allowed' }) as unknown as Error);
    expect(() => checkVideoUrl('https://evil.test/a.mp4', ['videos.test'])).toThrow(expect.objectContaining({ code: 'video_source_not_allowed' }) as unknown as Error);
    expect(() => checkVideoUrl('https://u:p@videos.test/a.mp4', ['videos.test'])).toThrow(expect.objectContaining({ code: 'video_source_not_allowed' }) as unknown as Error);
    expect(checkVideoUrl('https://VIDEOS.test/a.mp4', ['videos.test']).hostname).toBe('videos.test');
  });
});

describe('chunkSourceFor', () => {
  it('streams exact ranges from a file and from a URL', async () => {
    const collect = async (it: AsyncIterable<Uint8Array>) => { const parts: Uint8Array[] = []; for await (const p of it) parts.push(p); return Buffer.concat(parts); };
    const file = chunkSourceFor({ kind: 'path', absolutePath: join(root, 'sub', 'a.mp4') });
    const url = chunkSourceFor({ kind: 'url', url: 'https://videos.test/sub/a.mp4' }, fetchVia);
    const a = await collect(await file.open(1000, 250_999));
    const b = await collect(await url.open(1000, 250_999));
    expect(a.length).toBe(250_000);
    expect(b.equals(a)).toBe(true);
  });
  it('maps containers', () => {
    expect(containerOf('isom/mp41')).toBe('mp4');
    expect(containerOf('qt')).toBe('mov');
    expect(containerOf('EBML/webm')).toBe('webm');
    expect(containerOf('EBML/matroska')).toBeNull();
    expect(containerOf('M4A/isom')).toBe('mp4');
  });
});
