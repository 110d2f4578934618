/**
 * The saga, one step at a time from the share's events — which is also the crash recovery: a
 * restarted worker loads the stream and continues with the step its state calls for.
 *
 *   requested  → init (Direct Post or inbox; PULL_FROM_URL for verified URL prefixes)
 *   uploading  → stream the chunks after the last ChunkUploaded
 *   processing → follow status (polling) until published / in_inbox / failed
 *
 * `stillOwner()` is checked before any call with side effects at TikTok; every append also
 * carries the expected version, so a stale worker cannot record a second decision.
 */
import { planChunks, TikTokError } from '@tiktok-share/tiktok';
import type { InitResult, PostInfo, VideoSource } from '@tiktok-share/tiktok';
import { isAppError } from '@tiktok-share/platform/errors.ts';
import { isTerminal, type ShareState } from '../domain/share.ts';
import type { PublisherContext } from './context.ts';
import { failureOf } from './failures.ts';
import { followStatus } from './follow-status.ts';
import { executeOnShare, loadShare, type LoadedShare } from './share-writer.ts';
import { callTikTok } from './tiktok-call.ts';
import { uploadChunks } from './upload-chunks.ts';

export interface StepGuard {
  /** False once this worker's lease is gone: stop before touching TikTok. */
  stillOwner(): Promise<boolean>;
}

/** Upload URLs live 1 h at TikTok; we stop using one 5 minutes early. */
const UPLOAD_URL_TTL_MS = 55 * 60_000;

export async function runShare(ctx: PublisherContext, shareId: string, guard: StepGuard): Promise<ShareState> {
  // An upload this run did not start itself may have had a chunk in flight when a worker died.
  let resumedUpload = true;
  // The state after this run's own last append (null: read the stream). Steps decide on it without
  // re-reading; their appends carry its version, so a concurrent writer is noticed (share-writer.ts).
  let known: LoadedShare | null = null;
  for (;;) {
    const loaded: LoadedShare = known ?? (await loadShare(ctx, shareId));
    const { state } = loaded;
    if (state.status === 'none' || isTerminal(state)) return state;
    if (!(await guard.stillOwner())) return state;
    switch (state.status) {
      case 'requested':
        known = await initStep(ctx, shareId, state, loaded);
        resumedUpload = false;
        break;
      case 'uploading':
        known = await uploadChunks(ctx, shareId, state, guard, { resumed: resumedUpload, known: loaded });
        break;
      case 'processing':
        known = await followStatus(ctx, shareId, state, guard, loaded);
        break;
      default:
        return state;
    }
  }
}

type Requested = Extract<ShareState, { status: 'requested' }>;

function isVerifiedUrl(ctx: PublisherContext, url: string): boolean {
  return ctx.config.verifiedUrlPrefixes.some((p) => p.length > 0 && url.startsWith(p));
}

function postInfoOf(s: Requested): PostInfo {
  const p = s.request.postSettings;
  // All booleans explicitly (TikTok's table leaves "required" blank; peers broke on omissions).
  const info: PostInfo = {
    privacyLevel: p.privacyLevel ?? 'SELF_ONLY', disableComment: p.disableComment, disableDuet: p.disableDuet,
    disableStitch: p.disableStitch, brandContentToggle: p.brandContent, brandOrganicToggle: p.brandOrganic, isAigc: p.isAigc,
  };
  if (p.title !== '') info.title = p.title;
  if (p.coverTimestampMs !== null) info.videoCoverTimestampMs = p.coverTimestampMs;
  return info;
}

async function initStep(ctx: PublisherContext, shareId: string, s: Requested, known: LoadedShare): Promise<LoadedShare> {
  const { request } = s;
  const size = request.video.size ?? 0;
  const src = request.video.source;
  const pull = 'url' in src && isVerifiedUrl(ctx, src.url);
  const plan = pull ? null : planChunks(size, ctx.config.chunkSize);
  const source: VideoSource = pull && 'url' in src
    ? { source: 'PULL_FROM_URL', videoUrl: src.url }
    : { source: 'FILE_UPLOAD', videoSize: size, chunkSize: plan!.chunkSize, totalChunkCount: plan!.totalChunks };
  const direct = request.mode === 'direct';
  let result: InitResult;
  try {
    result = await callTikTok(ctx, request.accountId, { endpoint: direct ? 'video_init' : 'inbox_init' }, (t) =>
      direct ? ctx.tiktok.initDirectPost(t.accessToken, { postInfo: postInfoOf(s), source }) : ctx.tiktok.initInbox(t.accessToken, { source }));
  } catch (err) {
    return failInit(ctx, shareId, s, err, known);
  }
  // Persisted BEFORE any byte moves: from here on the share is only ever reconciled.
  return executeOnShare(ctx, shareId, {
    type: 'InitializeUpload', publishId: result.publishId, source: source.source, videoSize: size,
    chunkSize: plan ? plan.chunkSize : size, totalChunks: plan ? plan.totalChunks : 1,
    uploadUrl: result.uploadUrl ?? null,
    uploadUrlExpiresAt: result.uploadUrl ? new Date(ctx.now().getTime() + UPLOAD_URL_TTL_MS).toISOString() : null,
  }, undefined, known);
}

async function failInit(ctx: PublisherContext, shareId: string, s: Requested, err: unknown, known: LoadedShare): Promise<LoadedShare> {
  // Our own services unavailable: nothing happened at TikTok, let the worker try again later.
  if (isAppError(err) && err.status >= 500) throw err;
  const failure = failureOf(err);
  if (err instanceof TikTokError && (err.code === 'spam_risk_too_many_posts' || err.code === 'spam_risk_too_many_pending_share')) {
    // Other apps spend the same creator budget: tell the ledger what TikTok knows.
    await ctx.ports.exhausted(s.request.openId ?? '', err.code).catch((e: unknown) => ctx.logger.warn({ err: e, shareId }, 'quota.exhausted failed'));
  }
  if (err instanceof TikTokError && (err.code === 'network_error' || err.code === 'timeout')) {
    // Ambiguous: TikTok may have created a publish we never heard of. Never re-init blindly.
    failure.code = 'init_outcome_unknown';
    failure.message = 'TikTok did not answer the init; check the creator\'s profile before sharing again';
    failure.retryable = false;
  }
  ctx.logger.warn({ shareId, code: failure.code }, 'init failed');
  return executeOnShare(ctx, shareId, { type: 'FailPublish', publishId: null, ...failure, stage: 'init' }, undefined, known);
}
