/**
 * `tiktok.rpc.publisher.shares.create`: every check of DESIGN §5 before TikTok is asked to post,
 * Idempotency-Key semantics, the quota reservation and ShareRequested.
 *
 * No transaction is open while we wait on anything else (auth, quota, TikTok, the media probe):
 * in the embedded default every service shares ONE PGlite connection, so a transaction held across
 * an RPC to a peer deadlocks; on PostgreSQL it would pin a connection and locks across network
 * calls. Hence three phases:
 *   1. a read-only look-up of the key (a retry gets the stored view, another body 409);
 *   2. the checks and the reservation, outside any transaction (a failed check consumes neither
 *      the key nor the quota);
 *   3. one short `idempotent` transaction: append ShareRequested and read the view. If a
 *      concurrent request with the same key committed meanwhile, our run does not execute: our
 *      reservation is released and the winner's view (or 409) is the answer.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AppError, unprocessable } from '@tiktok-share/platform/errors.ts';
import { findIdempotentResponse, idempotent, IdempotencyKeyReusedError } from '@tiktok-share/eventstore/idempotency.ts';
import type { AnyTrx } from '@tiktok-share/eventstore/types.ts';
import type { ShareRequestBody, ShareView } from '@tiktok-share/contracts/rest.ts';
import type { CreatorInfo } from '@tiktok-share/tiktok';
import { probeVideo, type ProbedVideo } from '../adapters/media/probe.ts';
import { findShareView } from '../projections/share-view.queries.ts';
import { initialShareState, type ShareRequestedData } from '../domain/share.ts';
import type { PublisherContext } from './context.ts';
import type { FreshToken } from '../adapters/nats/ports.ts';
import { fetchCreatorInfo, ownedToken, settled } from './creator-info.ts';
import { executeOnShare } from './share-writer.ts';

export interface RequestShareInput {
  userId: string;
  idempotencyKey: string;
  request: ShareRequestBody;
}

/** Canonical JSON (sorted keys) → sha256: the same body hashes the same whatever the key order. */
export function requestHash(body: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon)
    : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canon(x)]))
    : v;
  return createHash('sha256').update(JSON.stringify(canon(body))).digest('hex');
}

const keyReused = () => new AppError('idempotency_key_reused', 409, 'The Idempotency-Key was already used with a different request');

export async function requestShare(ctx: PublisherContext, input: RequestShareInput): Promise<ShareView> {
  const key = { db: ctx.store.db, schema: ctx.schema, scope: `shares.create:${input.userId}`, key: input.idempotencyKey };
  const hash = requestHash(input.request);
  // Reads without side effects start together with the key look-up (a retry wastes them; every
  // request saves their round trips). Anything that touches TikTok or the quota waits for the key.
  const reads = startReads(ctx, input);
  const earlier = await findIdempotentResponse<ShareView>(key);
  if (earlier) {
    if (earlier.requestHash !== hash) throw keyReused();
    return earlier.response;
  }
  const accepted = await checkAndReserve(ctx, input, reads);
  let replayed = true;
  try {
    const result = await idempotent({ ...key, requestHash: hash, run: (trx) => appendShare(ctx, input, accepted, trx) });
    replayed = result.replayed;
    return result.response;
  } catch (err) {
    if (err instanceof IdempotencyKeyReusedError) throw keyReused();
    throw err;
  } finally {
    // Our ShareRequested was not committed (a concurrent twin won, or the append failed): give the
    // slot back now rather than wait for quota's expiry sweep. After the transaction, never inside.
    if (replayed) await ctx.ports.release(accepted.shareId, 'request_not_accepted').catch((e: unknown) => ctx.logger.warn({ err: e }, 'quota.release failed'));
  }
}

interface Accepted {
  shareId: string;
  openId: string;
  video: ProbedVideo;
}

interface Reads {
  /** Rejects only with the account's own answers (404 / 409); resolves otherwise. */
  account: Promise<void>;
  video: Promise<ProbedVideo>;
  /** The token and the account fields (openId, scopes), from the same auth call. */
  token: Promise<FreshToken>;
}

/** The account's answers, which §5 gives before any video error; other token failures wait. */
const ACCOUNT_CODES = new Set(['not_found', 'reauthorization_required']);

/**
 * Ownership, status and the access token (one auth round trip), and the media probe, in parallel.
 * TikTok itself is only called after the account check passed. Errors keep their old order: the
 * account's 404/409 first, then the video's, then a failure to get a token (e.g. 503 refresh).
 */
function startReads(ctx: PublisherContext, input: RequestShareInput): Reads {
  const req = input.request;
  const token = settled(ownedToken(ctx, input.userId, req.accountId));
  return {
    account: settled(token.then(() => undefined, (e: unknown) => {
      if (e instanceof AppError && ACCOUNT_CODES.has(e.code)) throw e;
    })),
    video: settled(probeVideo(req.video, { mediaRoot: ctx.config.mediaRoot, urlAllowlist: ctx.config.mediaUrlAllowlist, fetch: ctx.fetch })),
    token,
  };
}

/** Phase 2: every check, then the reservation — RPCs, HTTP and file reads, no transaction. */
async function checkAndReserve(ctx: PublisherContext, input: RequestShareInput, reads: Reads): Promise<Accepted> {
  const req = input.request;
  // Awaited in the order the checks are answered: account errors first, then the video's.
  await reads.account;
  const video = await reads.video;
  const account = await reads.token;
  const creator = await creatorOrReject(ctx, req.accountId, account.openId, account);
  checkPostSettings(ctx, req, creator);
  if (creator.maxVideoPostDurationSec > 0 && video.durationSec > creator.maxVideoPostDurationSec) {
    throw unprocessable('video_too_long', `the video lasts ${Math.ceil(video.durationSec)} s; this creator may post at most ${creator.maxVideoPostDurationSec} s`, { maxVideoPostDurationSec: creator.maxVideoPostDurationSec });
  }
  const shareId = randomUUID();
  await ctx.ports.reserve({ shareId, accountId: req.accountId, openId: account.openId, mode: req.mode });
  return { shareId, openId: account.openId, video };
}

/** Phase 3, inside the idempotency transaction: only `trx` queries, nothing remote. */
async function appendShare(ctx: PublisherContext, input: RequestShareInput, a: Accepted, trx: AnyTrx): Promise<ShareView> {
  // The share id was generated for this request: its stream is empty, no need to read it (the
  // append still expects 'no_stream').
  await executeOnShare(ctx, a.shareId, { type: 'RequestShare', data: requested(a.shareId, input, a.openId, a.video) }, trx, { state: initialShareState(), version: 0 });
  const view = await findShareView(trx, ctx.schema, input.userId, a.shareId);
  if (!view) throw new Error('share view missing after append');
  return view;
}

/** creator_info says whether the creator can post now (HTTP 200 + spam_risk_* code when not). */
async function creatorOrReject(ctx: PublisherContext, accountId: string, openId: string, token: FreshToken): Promise<CreatorInfo> {
  const info = await fetchCreatorInfo(ctx, accountId, token);
  if (info.canPost) return info;
  if (info.reason === 'spam_risk_too_many_posts') {
    await ctx.ports.exhausted(openId, 'spam_risk_too_many_posts').catch(() => undefined);
    const retryAt = new Date(ctx.now().getTime() + 24 * 3600_000).toISOString();
    throw new AppError('daily_limit_reached', 429, 'TikTok says this creator reached the daily post limit', { retryAt });
  }
  throw unprocessable('creator_cannot_post', 'TikTok says this creator cannot post right now', { reason: info.reason });
}

/** DESIGN §5 checks, in its order. Drafts ignore post settings at TikTok, so only direct posts are checked. */
function checkPostSettings(ctx: PublisherContext, req: ShareRequestBody, creator: CreatorInfo): void {
  if (req.mode !== 'direct') return;
  const privacy = req.privacyLevel;
  if (!privacy || !creator.privacyLevelOptions.includes(privacy)) {
    throw unprocessable('privacy_level_not_allowed', 'this creator does not offer that privacy level', { privacyLevelOptions: creator.privacyLevelOptions });
  }
  if (req.brandContent && privacy === 'SELF_ONLY') throw unprocessable('branded_content_cannot_be_private', 'branded content cannot be private (SELF_ONLY)');
  if (!ctx.config.appAudited && privacy !== 'SELF_ONLY') {
    throw unprocessable('unaudited_app_private_only', 'until the app passes TikTok\'s audit it can only post SELF_ONLY videos to private accounts');
  }
}

function requested(shareId: string, input: RequestShareInput, openId: string, video: ProbedVideo): ShareRequestedData {
  const r = input.request;
  return {
    shareId, userId: input.userId, accountId: r.accountId, openId, mode: r.mode,
    video: { source: r.video, size: video.size, durationSec: video.durationSec, container: video.container },
    postSettings: {
      title: r.title, privacyLevel: r.mode === 'direct' ? (r.privacyLevel ?? null) : null,
      disableComment: r.disableComment, disableDuet: r.disableDuet, disableStitch: r.disableStitch,
      coverTimestampMs: r.coverTimestampMs ?? null, brandContent: r.brandContent, brandOrganic: r.brandOrganic, isAigc: r.isAigc,
    },
  };
}
