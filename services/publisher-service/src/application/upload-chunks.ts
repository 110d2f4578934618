/**
 * Streams the chunks after the last ChunkUploaded to the upload URL, one PUT per chunk with
 * `Content-Range`, strictly in order. Per chunk: retry with backoff on 5xx, timeouts and resets
 * (each retry re-opens the source range, so nothing is buffered); a 416 tells how many bytes TikTok
 * really has (its Content-Range) and we resync from there. Each acknowledged chunk is recorded
 * (ChunkUploaded) before the next one is sent, which is what a restarted worker resumes from.
 *
 * Expired upload URL (403, or our clock says so): ask TikTok how many bytes it has; only if it
 * lacks some may the share give the publish up and init again (share.decide.ts guards this).
 */
import { TikTokError, type ChunkRange } from '@tiktok-share/tiktok';
import { chunkSourceFor, type ChunkSource } from '../adapters/media/chunk-source.ts';
import { resolveMediaPath } from '../adapters/media/probe.ts';
import type { ShareState } from '../domain/share.ts';
import type { PublisherContext } from './context.ts';
import { failureOf } from './failures.ts';
import type { StepGuard } from './run-share.ts';
import { executeOnShare } from './share-writer.ts';
import { callTikTok } from './tiktok-call.ts';

type Uploading = Extract<ShareState, { status: 'uploading' }>;

const CONTENT_TYPE = { mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm' } as const;

async function sourceOf(ctx: PublisherContext, s: Uploading): Promise<ChunkSource> {
  const src = s.request.video.source;
  if ('path' in src) return chunkSourceFor({ kind: 'path', absolutePath: await resolveMediaPath(ctx.config.mediaRoot, src.path) });
  return chunkSourceFor({ kind: 'url', url: src.url }, ctx.fetch);
}

/** The plan is recomputed from the recorded sizes (the same planner, the same answer as at init). */
function chunksOf(s: Uploading): ChunkRange[] {
  const { videoSize, chunkSize, totalChunks } = s.upload;
  const chunks: ChunkRange[] = [];
  for (let index = 0; index < totalChunks; index++) {
    const start = index * chunkSize;
    const end = index === totalChunks - 1 ? videoSize - 1 : start + chunkSize - 1;
    chunks.push({ index, start, end, length: end - start + 1 });
  }
  return chunks;
}

export async function uploadChunks(ctx: PublisherContext, shareId: string, s: Uploading, guard: StepGuard, opts: { resumed: boolean }): Promise<void> {
  const { uploadUrl, uploadUrlExpiresAt, publishId } = s.upload;
  if (!uploadUrl || (uploadUrlExpiresAt && Date.parse(uploadUrlExpiresAt) <= ctx.now().getTime())) {
    await onExpired(ctx, shareId, s);
    return;
  }
  const source = await sourceOf(ctx, s);
  const chunks = chunksOf(s);
  const contentType = CONTENT_TYPE[s.request.video.container ?? 'mp4'];
  let next = s.nextChunk;
  if (opts.resumed) {
    // A worker that died mid-PUT may have delivered a chunk it never recorded: ask TikTok how many
    // bytes it has instead of provoking a 416 with a stale Content-Range.
    const status = await callTikTok(ctx, s.request.accountId, { endpoint: 'status', retryTransient: true }, (t) => ctx.tiktok.fetchStatus(t.accessToken, publishId));
    next = await recordReceived(ctx, shareId, publishId, chunks, next, status.uploadedBytes ?? 0);
  }
  while (next < chunks.length) {
    if (!(await guard.stillOwner())) return;
    const chunk = chunks[next]!;
    const outcome = await putWithRetry(ctx, uploadUrl, chunk, s.upload.videoSize, source, contentType);
    if (outcome.kind === 'expired') return onExpired(ctx, shareId, s);
    if (outcome.kind === 'failed') {
      await executeOnShare(ctx, shareId, { type: 'FailPublish', publishId, ...failureOf(outcome.error), stage: 'upload' });
      return;
    }
    // TikTok's count of received bytes decides how far we are (a 416 resync may skip ahead).
    next = await recordReceived(ctx, shareId, publishId, chunks, next, outcome.uploadedBytes);
  }
}

/** Records every chunk from `next` that TikTok holds completely; returns the first chunk it lacks. */
async function recordReceived(ctx: PublisherContext, shareId: string, publishId: string, chunks: ChunkRange[], next: number, uploadedBytes: number): Promise<number> {
  let i = next;
  while (i < chunks.length && chunks[i]!.end + 1 <= uploadedBytes) {
    await executeOnShare(ctx, shareId, { type: 'RecordChunk', publishId, chunkIndex: i, uploadedBytes: chunks[i]!.end + 1 });
    i++;
  }
  return i;
}

export type PutOutcome = { kind: 'ok'; uploadedBytes: number } | { kind: 'expired' } | { kind: 'failed'; error: unknown };

/** One chunk PUT with retries (5xx, timeouts, resets) and 416 resync; exported for the upload benchmark. */
export async function putWithRetry(ctx: Pick<PublisherContext, 'tiktok' | 'config' | 'logger' | 'sleep'>, url: string, chunk: ChunkRange, total: number, source: ChunkSource, contentType: string): Promise<PutOutcome> {
  let start = chunk.start;
  for (let attempt = 0; ; attempt++) {
    try {
      const body = await source.open(start, chunk.end);
      await ctx.tiktok.uploadChunk(url, { start, end: chunk.end, total, body, contentType });
      return { kind: 'ok', uploadedBytes: chunk.end + 1 };
    } catch (err) {
      if (!(err instanceof TikTokError)) {
        if (attempt >= ctx.config.chunkRetries) return { kind: 'failed', error: err };
      } else if (err.code === 'upload_url_expired') {
        return { kind: 'expired' };
      } else if (err.code === 'range_not_satisfiable' && err.uploadedBytes !== undefined) {
        // TikTok already has bytes up to err.uploadedBytes: done with this chunk, or continue inside it.
        if (err.uploadedBytes > chunk.end) return { kind: 'ok', uploadedBytes: err.uploadedBytes };
        if (err.uploadedBytes < chunk.start) return { kind: 'failed', error: err };
        start = err.uploadedBytes;
        if (start !== chunk.start) return { kind: 'failed', error: err }; // mid-chunk resume is not part of the plan
      } else if (err.kind !== 'retryable' || attempt >= ctx.config.chunkRetries) {
        return { kind: 'failed', error: err };
      }
      ctx.logger.warn({ chunk: chunk.index, attempt, code: err instanceof TikTokError ? err.code : 'source_error' }, 'chunk upload retry');
      await ctx.sleep(ctx.config.retryBaseMs * 2 ** attempt);
    }
  }
}

/** The upload URL is dead. Re-init only with TikTok's word that it lacks bytes; else fail for a human to check. */
async function onExpired(ctx: PublisherContext, shareId: string, s: Uploading): Promise<void> {
  const { publishId, videoSize } = s.upload;
  const status = await callTikTok(ctx, s.request.accountId, { endpoint: 'status', retryTransient: true }, (t) => ctx.tiktok.fetchStatus(t.accessToken, publishId));
  const have = status.uploadedBytes ?? 0;
  if (status.status === 'PROCESSING_UPLOAD' && have < videoSize && s.inits < 3) {
    await executeOnShare(ctx, shareId, { type: 'AbandonUpload', publishId, reason: 'upload_url_expired', tiktokUploadedBytes: have, at: ctx.now().toISOString() });
    return;
  }
  await executeOnShare(ctx, shareId, {
    type: 'FailPublish', publishId, code: 'upload_url_expired', message: 'The upload URL expired before the upload finished', retryable: false, stage: 'upload',
  });
}
