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
import { executeOnShare, type LoadedShare } from './share-writer.ts';
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

/**
 * `opts.known`: the share as the caller last saw it (version included), carried from append to
 * append. Returns the share after this step's last append, or null when it appended nothing.
 */
export async function uploadChunks(ctx: PublisherContext, shareId: string, s: Uploading, guard: StepGuard, opts: { resumed: boolean; known?: LoadedShare }): Promise<LoadedShare | null> {
  const { uploadUrl, uploadUrlExpiresAt, publishId } = s.upload;
  if (!uploadUrl || (uploadUrlExpiresAt && Date.parse(uploadUrlExpiresAt) <= ctx.now().getTime())) {
    return onExpired(ctx, shareId, s, opts.known);
  }
  const source = await sourceOf(ctx, s);
  const chunks = chunksOf(s);
  const contentType = CONTENT_TYPE[s.request.video.container ?? 'mp4'];
  const progress: Progress = { next: s.nextChunk, known: opts.known, appended: null };
  if (opts.resumed) {
    // A worker that died mid-PUT may have delivered a chunk it never recorded: ask TikTok how many
    // bytes it has instead of provoking a 416 with a stale Content-Range.
    // Best effort: the upload URL needs no token, so an account we cannot ask about (disconnected
    // meanwhile) still uploads, and a stale range then resyncs from TikTok's 416.
    const status = await callTikTok(ctx, s.request.accountId, { endpoint: 'status', retryTransient: true }, (t) => ctx.tiktok.fetchStatus(t.accessToken, publishId))
      .catch((err: unknown) => { ctx.logger.warn({ err, shareId }, 'resume status probe failed; relying on 416 resync'); return null; });
    if (status) await recordReceived(ctx, shareId, publishId, chunks, progress, status.uploadedBytes ?? 0);
  }
  while (progress.next < chunks.length) {
    if (!(await guard.stillOwner())) return progress.appended;
    const chunk = chunks[progress.next]!;
    const outcome = await putWithRetry(ctx, uploadUrl, chunk, s.upload.videoSize, source, contentType);
    if (outcome.kind === 'expired') return onExpired(ctx, shareId, s, progress.known);
    if (outcome.kind === 'failed') {
      return executeOnShare(ctx, shareId, { type: 'FailPublish', publishId, ...failureOf(outcome.error), stage: 'upload' }, undefined, progress.known);
    }
    // TikTok's count of received bytes decides how far we are (a 416 resync may skip ahead).
    await recordReceived(ctx, shareId, publishId, chunks, progress, outcome.uploadedBytes);
  }
  return progress.appended;
}

interface Progress {
  /** First chunk TikTok is not known to hold. */
  next: number;
  /** The share as last seen (for the next append's expected version). */
  known: LoadedShare | undefined;
  /** The share after this step's last append. */
  appended: LoadedShare | null;
}

/** Records every chunk from `p.next` that TikTok holds completely; advances `p`. */
async function recordReceived(ctx: PublisherContext, shareId: string, publishId: string, chunks: ChunkRange[], p: Progress, uploadedBytes: number): Promise<void> {
  while (p.next < chunks.length && chunks[p.next]!.end + 1 <= uploadedBytes) {
    const after = await executeOnShare(ctx, shareId, { type: 'RecordChunk', publishId, chunkIndex: p.next, uploadedBytes: chunks[p.next]!.end + 1 }, undefined, p.known);
    p.known = after;
    p.appended = after;
    p.next++;
  }
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
async function onExpired(ctx: PublisherContext, shareId: string, s: Uploading, known: LoadedShare | undefined): Promise<LoadedShare> {
  const { publishId, videoSize } = s.upload;
  const status = await callTikTok(ctx, s.request.accountId, { endpoint: 'status', retryTransient: true }, (t) => ctx.tiktok.fetchStatus(t.accessToken, publishId));
  const have = status.uploadedBytes ?? 0;
  if (status.status === 'PROCESSING_UPLOAD' && have < videoSize && s.inits < 3) {
    return executeOnShare(ctx, shareId, { type: 'AbandonUpload', publishId, reason: 'upload_url_expired', tiktokUploadedBytes: have, at: ctx.now().toISOString() }, undefined, known);
  }
  return executeOnShare(ctx, shareId, {
    type: 'FailPublish', publishId, code: 'upload_url_expired', message: 'The upload URL expired before the upload finished', retryable: false, stage: 'upload',
  }, undefined, known);
}
