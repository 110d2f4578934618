/**
 * After the last chunk (or a PULL_FROM_URL init): poll status/fetch inside the per-token window
 * (quota.acquire 'status'), with backoff and a deadline, until TikTok says where the publish ended.
 * Webhooks (on-webhook.ts) may finish the share first; each poll re-reads the share and stops then.
 * The deadline counts from when this worker started following (a restart starts a new one).
 */
import { TikTokError, type StatusResult } from '@tiktok-share/tiktok';
import { isAppError } from '@tiktok-share/platform/errors.ts';
import { MAX_INITS, type ShareCommand } from '../domain/share.decide.ts';
import type { ShareState } from '../domain/share.ts';
import type { PublisherContext } from './context.ts';
import { failureOf, failureOfReason, type FailureInfo } from './failures.ts';
import type { StepGuard } from './run-share.ts';
import { executeOnShare, loadShare, type LoadedShare } from './share-writer.ts';
import { callTikTok } from './tiktok-call.ts';

type Processing = Extract<ShareState, { status: 'processing' }>;

/**
 * `known`: the share as the caller just read or wrote it (the first poll needs no re-read; later
 * polls re-read, a webhook may have finished it). Returns the share after the append that ended
 * the step, or null when it appended nothing.
 */
export async function followStatus(ctx: PublisherContext, shareId: string, s: Processing, guard: StepGuard, known?: LoadedShare): Promise<LoadedShare | null> {
  const deadline = ctx.now().getTime() + ctx.config.statusDeadlineMs;
  let delay = ctx.config.statusPollMs;
  const { publishId } = s.upload;
  let fresh: LoadedShare | undefined = known;
  for (;;) {
    const loaded = fresh ?? (await loadShare(ctx, shareId));
    fresh = undefined;
    const current = loaded.state;
    if (current.status !== 'processing' || current.upload.publishId !== publishId) return null;
    if (!(await guard.stillOwner())) return null;
    let status: StatusResult;
    try {
      status = await callTikTok(ctx, s.request.accountId, { endpoint: 'status', retryTransient: true }, (t) => ctx.tiktok.fetchStatus(t.accessToken, publishId));
    } catch (err) {
      // The account can no longer be asked about (disconnected, revoked, scope gone): retrying would
      // loop forever. TikTok stops a publish when access is removed (fail_reason auth_removed).
      if (!cannotFollow(err)) throw err;
      return executeOnShare(ctx, shareId, { type: 'FailPublish', publishId, ...unfollowable(err), stage: 'processing' }, undefined, loaded);
    }
    const applied = await applyStatus(ctx, shareId, current, status, loaded);
    if (applied) return applied;
    if (ctx.now().getTime() >= deadline) {
      return executeOnShare(ctx, shareId, {
        type: 'FailPublish', publishId, code: 'status_timeout', message: 'TikTok did not finish processing in time', retryable: true, stage: 'processing',
      }, undefined, loaded);
    }
    await ctx.sleep(delay);
    delay = Math.min(ctx.config.statusPollMaxMs, Math.ceil(delay * 1.5));
  }
}

/** Errors that no retry can cure: our services or TikTok refuse this account for good. */
export function cannotFollow(err: unknown): boolean {
  if (isAppError(err)) return err.status === 404 || err.status === 409 || err.status === 401 || err.status === 403;
  return err instanceof TikTokError && (err.kind === 'reauthorize' || err.kind === 'final');
}

function unfollowable(err: unknown): FailureInfo {
  if (isAppError(err) && (err.status === 404 || err.status === 409)) {
    return { code: 'reauthorization_required', message: 'The TikTok account was disconnected before TikTok finished; TikTok stops a publish when access is removed', retryable: false };
  }
  return failureOf(err);
}

/** What a TikTok status means for a processing share. */
export interface StatusDecision {
  command: ShareCommand;
  /** TikTok said spam_risk_too_many_posts: tell the quota ledger (an RPC, so never inside a transaction). */
  reportExhausted: boolean;
}

/**
 * Pure: the command a status calls for, or null while TikTok is still working on it. FAILED means
 * nothing was posted; an outage (`internal`) is worth one more init (bounded by MAX_INITS); every
 * other reason fails the share with its mapped code.
 */
export function decideOnStatus(ctx: Pick<PublisherContext, 'now'>, s: Processing, status: Pick<StatusResult, 'status' | 'failReason' | 'postIds'>): StatusDecision | null {
  const { publishId } = s.upload;
  const at = ctx.now().toISOString();
  const plain = (command: ShareCommand): StatusDecision => ({ command, reportExhausted: false });
  switch (status.status) {
    case 'PUBLISH_COMPLETE':
      return plain({ type: 'CompletePublish', publishId, postIds: status.postIds, at });
    case 'SEND_TO_USER_INBOX':
      // Success for a draft: the creator finishes it in the TikTok app.
      return s.request.mode === 'draft' ? plain({ type: 'CompletePublish', publishId, postIds: [], at }) : null;
    case 'FAILED': {
      const reason = status.failReason ?? 'unknown';
      if (reason === 'internal' && s.inits < MAX_INITS) return plain({ type: 'AbandonUpload', publishId, reason: 'failed_before_posting', at });
      return { command: { type: 'FailPublish', publishId, ...failureOfReason(reason), stage: 'processing' }, reportExhausted: reason === 'spam_risk_too_many_posts' && Boolean(s.request.openId) };
    }
    default:
      return null;
  }
}

/** Tells the quota ledger what TikTok said (best effort: quota also learns it from PublishFailed). */
export async function reportExhaustion(ctx: PublisherContext, s: Processing, d: StatusDecision): Promise<void> {
  if (d.reportExhausted && s.request.openId) await ctx.ports.exhausted(s.request.openId, 'spam_risk_too_many_posts').catch(() => undefined);
}

/** Applies a TikTok status from a poll: the share after it left `processing`, null while TikTok still works. */
export async function applyStatus(ctx: PublisherContext, shareId: string, s: Processing, status: Pick<StatusResult, 'status' | 'failReason' | 'postIds'>, known?: LoadedShare): Promise<LoadedShare | null> {
  const d = decideOnStatus(ctx, s, status);
  if (!d) return null;
  await reportExhaustion(ctx, s, d);
  return executeOnShare(ctx, shareId, d.command, undefined, known);
}
