/**
 * The upload host: PUT {upload_url} with Content-Range + Content-Length, strictly in order.
 * The body is streamed: only a running sha256 and a byte count are kept, so a 1 GB upload does
 * not grow memory. The hash is updated on a copy and committed only when the chunk is accepted.
 */
import { Hono, type Context } from 'hono';
import { expectedChunkLength } from './chunk-rules.ts';
import { applyFault } from './guards.ts';
import { startProcessing } from './lifecycle.ts';
import { recordViolation, type EmulatorState, type Publish } from './state.ts';

function progress(p: Publish): string {
  return p.bytesReceived > 0 ? `bytes 0-${p.bytesReceived - 1}/${p.videoSize}` : `bytes */${p.videoSize}`;
}

function refuse(state: EmulatorState, status: number, detail: string, p?: Publish): Response {
  recordViolation(state, 'chunk_rule', 'upload', detail);
  const headers: Record<string, string> = p ? { 'content-range': progress(p) } : {};
  return new Response(null, { status, headers });
}

function findPublish(c: Context, state: EmulatorState): Publish | undefined {
  const id = state.uploads.get(c.req.query('upload_id') ?? '');
  const p = id ? state.publishes.get(id) : undefined;
  return p && p.uploadToken === c.req.query('upload_token') ? p : undefined;
}

type Range = { start: number; end: number; total: number; length: number };

/** Header checks: Content-Range syntax and total, Content-Length = range length, order, plan. */
function checkHeaders(c: Context, state: EmulatorState, p: Publish): Range | Response {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(c.req.header('content-range') ?? '');
  if (!m) return refuse(state, 400, 'missing or malformed Content-Range', p);
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (total !== p.videoSize || end < start || end >= total) return refuse(state, 400, `Content-Range ${start}-${end}/${total} does not fit video_size ${p.videoSize}`, p);
  const lengthHeader = c.req.header('content-length');
  if (!lengthHeader || !/^\d+$/.test(lengthHeader)) return refuse(state, 400, 'missing Content-Length', p);
  const length = end - start + 1;
  if (Number(lengthHeader) !== length) return refuse(state, 400, `Content-Length ${lengthHeader} ≠ Content-Range length ${length}`, p);
  if (p.bytesReceived >= p.videoSize || start !== p.bytesReceived || p.uploading) {
    return refuse(state, 416, `chunk starting at ${start} but ${p.bytesReceived} bytes received${p.uploading ? ' (another PUT in flight)' : ''}`, p);
  }
  const expected = expectedChunkLength(p.videoSize, p.chunkSize, p.totalChunks, p.chunksReceived);
  if (length !== expected) return refuse(state, 400, `chunk ${p.chunksReceived} has ${length} bytes, the plan says ${expected}`, p);
  return { start, end, total, length };
}

/** Reads the body chunk by chunk into a hash copy; returns the byte count (stops past `limit`). */
async function drain(body: ReadableStream<Uint8Array> | null, hash: import('node:crypto').Hash, limit: number): Promise<number> {
  if (!body) return 0;
  const reader = body.getReader();
  let count = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return count;
    count += value.byteLength;
    if (count > limit) {
      await reader.cancel();
      return count;
    }
    hash.update(value);
  }
}

async function put(c: Context, state: EmulatorState): Promise<Response> {
  const fault = await applyFault(c, state, 'upload');
  if (fault) return fault;
  const p = findPublish(c, state);
  // A failed publish (revoked, failed via control) has no valid upload task any more.
  if (!p || p.status === 'FAILED') return refuse(state, 404, 'no upload task for this URL');
  if (state.now() > p.uploadExpiresAt) return refuse(state, 403, 'upload_url expired', p);
  const range = checkHeaders(c, state, p);
  if (range instanceof Response) return range;
  p.uploading = true;
  try {
    const hash = p.hash.copy();
    const received = await drain(c.req.raw.body, hash, range.length);
    if (received !== range.length) return refuse(state, 400, `body has ${received} bytes, Content-Length says ${range.length}`, p);
    p.hash = hash;
    p.bytesReceived += range.length;
    p.chunksReceived += 1;
  } finally {
    p.uploading = false;
  }
  if (p.chunksReceived < p.totalChunks) return new Response(null, { status: 206, headers: { 'content-range': progress(p) } });
  p.sha256 = p.hash.digest('hex');
  startProcessing(state, p);
  return new Response(null, { status: 201, headers: { 'content-range': progress(p) } });
}

/** Upload host routes (with and without the trailing slash). */
export function uploadRoutes(state: EmulatorState): Hono {
  const app = new Hono();
  app.put('/upload/', (c) => put(c, state));
  app.put('/upload', (c) => put(c, state));
  return app;
}
