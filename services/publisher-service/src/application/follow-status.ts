/**
 * After the last chunk (or a PULL_FROM_URL init): poll status/fetch inside the per-token window
 * (quota.acquire 'status'), with backoff and a deadline, until TikTok says where the publish ended.
 * Webhooks (on-webhook.ts) may finish the share first; each poll re-reads the share and stops then.
 * The deadline counts from when this worker started following (a restart starts a new one).
 */
import type { StatusResult } from '@tiktok-share/tiktok';
import { MAX_INITS } from '../domain/share.decide.ts';
import { isTerminal, type ShareState } from '../domain/share.ts';
import type { PublisherContext } from './context.ts';
import { failureOfReason } from './failures.ts';
import type { StepGuard } from './run-share.ts';
import { executeOnShare, loadShare } from './share-writer.ts';
import { callTikTok } from './tiktok-call.ts';

type Processing = Extract<ShareState, { status: 'processing' }>;

export async function followStatus(ctx: PublisherContext, shareId: string, s: Processing, guard: StepGuard): Promise<void> {
  const deadline = ctx.now().getTime() + ctx.config.statusDeadlineMs;
  let delay = ctx.config.statusPollMs;
  const { publishId } = s.upload;
  for (;;) {
    const current = (await loadShare(ctx, shareId)).state;
    if (current.status !== 'processing' || current.upload.publishId !== publishId) return;
    if (!(await guard.stillOwner())) return;
    const status = await callTikTok(ctx, s.request.accountId, { endpoint: 'status', retryTransient: true }, (t) => ctx.tiktok.fetchStatus(t.accessToken, publishId));
    if (await applyStatus(ctx, shareId, current, status)) return;
    if (ctx.now().getTime() >= deadline) {
      await executeOnShare(ctx, shareId, {
        type: 'FailPublish', publishId, code: 'status_timeout', message: 'TikTok did not finish processing in time', retryable: true, stage: 'processing',
      });
      return;
    }
    await ctx.sleep(delay);
    delay = Math.min(ctx.config.statusPollMaxMs, Math.ceil(delay * 1.5));
  }
}

/** Applies a TikTok status (from a poll or a webhook). True when the share left `processing`. */
export async function applyStatus(ctx: PublisherContext, shareId: string, s: Processing, status: Pick<StatusResult, 'status' | 'failReason' | 'postIds'>): Promise<boolean> {
  const { publishId } = s.upload;
  const at = ctx.now().toISOString();
  switch (status.status) {
    case 'PUBLISH_COMPLETE':
      await executeOnShare(ctx, shareId, { type: 'CompletePublish', publishId, postIds: status.postIds, at });
      return true;
    case 'SEND_TO_USER_INBOX':
      // Success for a draft: the creator finishes it in the TikTok app.
      if (s.request.mode !== 'draft') return false;
      await executeOnShare(ctx, shareId, { type: 'CompletePublish', publishId, postIds: [], at });
      return true;
    case 'FAILED':
      await onFailed(ctx, shareId, s, status.failReason ?? 'unknown');
      return true;
    default:
      return false;
  }
}

/**
 * TikTok's FAILED means nothing was posted. An outage (`internal`) is worth one more init (bounded
 * by MAX_INITS); every other reason fails the share with its mapped code.
 */
async function onFailed(ctx: PublisherContext, shareId: string, s: Processing, reason: string): Promise<void> {
  const { publishId } = s.upload;
  const failure = failureOfReason(reason);
  if (reason === 'internal' && s.inits < MAX_INITS) {
    await executeOnShare(ctx, shareId, { type: 'AbandonUpload', publishId, reason: 'failed_before_posting', at: ctx.now().toISOString() });
    return;
  }
  if (reason === 'spam_risk_too_many_posts' && s.request.openId) {
    await ctx.ports.exhausted(s.request.openId, 'spam_risk_too_many_posts').catch(() => undefined);
  }
  await executeOnShare(ctx, shareId, { type: 'FailPublish', publishId, ...failure, stage: 'processing' });
}
