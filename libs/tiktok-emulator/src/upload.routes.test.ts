import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from './emulator.ts';
import { callApi, connectCreator } from './testing.ts';

let emu: Emulator;
afterEach(() => emu?.close());

const SIZE = 17_000_001; // plan: chunk 5,000,000 × 3, the last one 7,000,001
const CHUNK = 5_000_000;

async function init(size = SIZE, chunk = CHUNK, total = Math.floor(size / chunk), privacy = 'PUBLIC_TO_EVERYONE') {
  const t = (await connectCreator(emu, 'public1')).access_token;
  const res = await callApi(emu, '/v2/post/publish/video/init/', t, {
    post_info: { privacy_level: privacy, disable_duet: false, disable_comment: false, disable_stitch: false, brand_content_toggle: false, brand_organic_toggle: false, is_aigc: false },
    source_info: { source: 'FILE_UPLOAD', video_size: size, chunk_size: chunk, total_chunk_count: total },
  });
  const url = new URL(String(res.body.data?.upload_url));
  return { token: t, publishId: String(res.body.data?.publish_id), path: `${url.pathname}${url.search}` };
}

function put(path: string, start: number, end: number, total: number, bytes: Uint8Array<ArrayBuffer>, contentLength = String(bytes.byteLength)) {
  return emu.app.request(path, {
    method: 'PUT',
    headers: { 'content-type': 'video/mp4', 'content-range': `bytes ${start}-${end}/${total}`, 'content-length': contentLength },
    body: bytes,
  });
}

const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

describe('upload host', () => {
  it('accepts chunks in order: 206, 206, 201; keeps sha256 and byte count; then publishes', async () => {
    emu = createEmulator({ processingDelayMs: 0 });
    const { path, token, publishId } = await init();
    const parts = [bytes(CHUNK, 1), bytes(CHUNK, 2), bytes(SIZE - 2 * CHUNK, 3)];
    const r1 = await put(path, 0, CHUNK - 1, SIZE, parts[0] as Uint8Array<ArrayBuffer>);
    expect([r1.status, r1.headers.get('content-range')]).toEqual([206, `bytes 0-${CHUNK - 1}/${SIZE}`]);
    expect((await put(path, CHUNK, 2 * CHUNK - 1, SIZE, parts[1] as Uint8Array<ArrayBuffer>)).status).toBe(206);
    const r3 = await put(path, 2 * CHUNK, SIZE - 1, SIZE, parts[2] as Uint8Array<ArrayBuffer>);
    expect([r3.status, r3.headers.get('content-range')]).toEqual([201, `bytes 0-${SIZE - 1}/${SIZE}`]);
    const sha = createHash('sha256');
    for (const p of parts) sha.update(p);
    const p = emu.state.publishes.get(publishId);
    expect(p).toMatchObject({ bytesReceived: SIZE, chunksReceived: 3, sha256: sha.digest('hex') });
    const status = await callApi(emu, '/v2/post/publish/status/fetch/', token, { publish_id: publishId });
    expect(status.text).toContain('"status":"PUBLISH_COMPLETE"');
    expect(status.text).toMatch(/"publicaly_available_post_id":\[73\d{17}\]/);
    expect(emu.state.violations).toEqual([]);
  });

  it('refuses an out-of-order chunk with 416 and the current progress in Content-Range', async () => {
    emu = createEmulator({ processingDelayMs: 0 });
    const { path } = await init();
    const skip = await put(path, CHUNK, 2 * CHUNK - 1, SIZE, bytes(CHUNK));
    expect([skip.status, skip.headers.get('content-range')]).toEqual([416, `bytes */${SIZE}`]);
    await put(path, 0, CHUNK - 1, SIZE, bytes(CHUNK));
    const again = await put(path, 0, CHUNK - 1, SIZE, bytes(CHUNK));
    expect([again.status, again.headers.get('content-range')]).toEqual([416, `bytes 0-${CHUNK - 1}/${SIZE}`]);
    expect(emu.state.violations.filter((v) => v.kind === 'chunk_rule')).toHaveLength(2);
  });

  it('refuses a wrong Content-Length (header vs range, and body vs header) with 400 and keeps progress', async () => {
    emu = createEmulator({ processingDelayMs: 0 });
    const { path, publishId } = await init();
    expect((await put(path, 0, CHUNK - 1, SIZE, bytes(CHUNK), String(CHUNK - 1))).status).toBe(400);
    const short = await put(path, 0, CHUNK - 1, SIZE, bytes(CHUNK - 10), String(CHUNK));
    expect(short.status).toBe(400);
    expect(emu.state.publishes.get(publishId)?.bytesReceived).toBe(0);
    expect((await put(path, 0, CHUNK - 1, SIZE, bytes(CHUNK))).status).toBe(206);
  });

  it('refuses chunks that break the plan, a wrong total, a missing Content-Range', async () => {
    emu = createEmulator({ processingDelayMs: 0 });
    const { path } = await init();
    expect((await put(path, 0, 999, SIZE, bytes(1000))).status).toBe(400);
    expect((await put(path, 0, CHUNK - 1, SIZE + 1, bytes(CHUNK))).status).toBe(400);
    const noRange = await emu.app.request(path, { method: 'PUT', headers: { 'content-length': '10' }, body: bytes(10) });
    expect(noRange.status).toBe(400);
  });

  it('answers 404 for an unknown upload or a wrong token, 403 once the URL expired', async () => {
    emu = createEmulator({ processingDelayMs: 0, uploadUrlTtlSec: 3600 });
    const { path } = await init();
    expect((await put('/upload/?upload_id=nope&upload_token=x', 0, CHUNK - 1, SIZE, bytes(CHUNK))).status).toBe(404);
    expect((await put(path.replace(/upload_token=[^&]+/, 'upload_token=forged'), 0, CHUNK - 1, SIZE, bytes(CHUNK))).status).toBe(404);
    emu.state.clockOffsetMs += 3600 * 1000 + 1;
    expect((await put(path, 0, CHUNK - 1, SIZE, bytes(CHUNK))).status).toBe(403);
  });

  it('uploads a small file whole; an inbox upload ends in SEND_TO_USER_INBOX, then the user posts it', async () => {
    emu = createEmulator({ processingDelayMs: 0 });
    const t = (await connectCreator(emu, 'public1')).access_token;
    const res = await callApi(emu, '/v2/post/publish/inbox/video/init/', t, { source_info: { source: 'FILE_UPLOAD', video_size: 1234, chunk_size: 1234, total_chunk_count: 1 } });
    const url = new URL(String(res.body.data?.upload_url));
    expect((await put(`${url.pathname}${url.search}`, 0, 1233, 1234, bytes(1234))).status).toBe(201);
    const id = String(res.body.data?.publish_id);
    expect((await callApi(emu, '/v2/post/publish/status/fetch/', t, { publish_id: id })).body.data).toMatchObject({ status: 'SEND_TO_USER_INBOX', uploaded_bytes: 1234 });
    await emu.app.request(`/__control/publishes/${encodeURIComponent(id)}/user-post`, { method: 'POST' });
    const done = await callApi(emu, '/v2/post/publish/status/fetch/', t, { publish_id: id });
    expect(done.body.data?.status).toBe('PUBLISH_COMPLETE');
    expect(emu.state.webhooks.map((w) => w.event)).toEqual(['post.publish.inbox_delivered', 'post.publish.complete', 'post.publish.publicly_available']);
  });

  it('keeps PROCESSING_UPLOAD for the processing delay; SELF_ONLY posts get no post id; fail-next fails', async () => {
    emu = createEmulator({ processingDelayMs: 30 });
    const { path, token, publishId } = await init(1000, 1000, 1, 'SELF_ONLY');
    await put(path, 0, 999, 1000, bytes(1000));
    const fetchStatus = async (id: string) => (await callApi(emu, '/v2/post/publish/status/fetch/', token, { publish_id: id })).body.data;
    expect(await fetchStatus(publishId)).toMatchObject({ status: 'PROCESSING_UPLOAD' });
    await new Promise((r) => setTimeout(r, 60));
    expect(await fetchStatus(publishId)).toMatchObject({ status: 'PUBLISH_COMPLETE', publicaly_available_post_id: [] });
    await emu.app.request('/__control/fail-next', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failReason: 'duration_check_failed' }) });
    const second = await init(1000, 1000, 1, 'SELF_ONLY');
    await put(second.path, 0, 999, 1000, bytes(1000));
    await new Promise((r) => setTimeout(r, 60));
    expect(await fetchStatus(second.publishId)).toMatchObject({ status: 'FAILED', fail_reason: 'duration_check_failed' });
  });
});
