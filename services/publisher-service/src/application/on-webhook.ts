/**
 * `tiktok.rpc.publisher.webhook`: post.publish.* events (signature verified by the gateway).
 * Deliveries are at least once (TikTok retries for 72 h) and race with polling: the inbox
 * (`processOnce` keyed by the dedupe id) drops a redelivery, and the decider makes any repeat that
 * slips past it (another body for the same fact, a poll first) a no-op.
 * `content` is a JSON string; post ids are parsed losslessly.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { processOnce } from '@tiktok-share/eventstore/inbox.ts';
import { ConcurrencyError } from '@tiktok-share/eventstore/types.ts';
import { parseJsonLossless } from '@tiktok-share/tiktok';
import { AppError } from '@tiktok-share/platform/errors.ts';
import type { TikTokWebhook } from '@tiktok-share/contracts/rest.ts';
import type { ShareState } from '../domain/share.ts';
import type { PublisherContext } from './context.ts';
import { decideOnStatus, reportExhaustion, type StatusDecision } from './follow-status.ts';
import { executeOnShare, loadShare } from './share-writer.ts';

async function shareIdOfPublish(ctx: PublisherContext, publishId: string): Promise<string | null> {
  const { rows } = await sql<{ share_id: string }>`select share_id from ${sql.id(ctx.schema)}.shares where publish_id = ${publishId}`.execute(ctx.store.db);
  return rows[0]?.share_id ?? null;
}

function contentOf(raw: string): Record<string, unknown> {
  try {
    const v = parseJsonLossless(raw);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The command a webhook calls for on the share's current state; null when it changes nothing. */
function decideOnWebhook(ctx: PublisherContext, hook: TikTokWebhook, state: ShareState, publishId: string, postId: string | null, content: Record<string, unknown>): StatusDecision | null {
  if ((state.status === 'published' || state.status === 'in_inbox') && postId) {
    return { command: { type: 'DiscoverPostIds', publishId, postIds: [postId] }, reportExhausted: false };
  }
  if (state.status !== 'processing' || state.upload.publishId !== publishId) return null;
  switch (hook.event) {
    case 'post.publish.complete':
    case 'post.publish.publicly_available':
      return { command: { type: 'CompletePublish', publishId, postIds: postId ? [postId] : [], at: ctx.now().toISOString() }, reportExhausted: false };
    case 'post.publish.inbox_delivered':
      return decideOnStatus(ctx, state, { status: 'SEND_TO_USER_INBOX', postIds: [] });
    case 'post.publish.failed':
      return decideOnStatus(ctx, state, { status: 'FAILED', failReason: typeof content.reason === 'string' ? content.reason : 'unknown', postIds: [] });
    default:
      return null;
  }
}

/** Inbox consumer name of webhooks (docs/internals.md: the gateway's `webhook-dedupe-id`). */
export const WEBHOOK_INBOX = 'webhooks';

/**
 * `dedupeId`: the gateway's sha256 of the raw body; without it (a direct RPC) a hash of the parsed
 * webhook stands in. Reads and the quota RPC happen first, outside any transaction; the inbox row
 * and the append then commit together in one short transaction, so a redelivery changes nothing.
 * A worker appending to the same share meanwhile (a poll) makes the append a ConcurrencyError:
 * the transaction (inbox row included) rolls back and the webhook is decided again on the new state.
 */
export async function onWebhook(ctx: PublisherContext, hook: TikTokWebhook, dedupeId?: string): Promise<Record<string, never>> {
  if (!hook.event.startsWith('post.publish.')) return {};
  const content = contentOf(hook.content);
  const publishId = typeof content.publish_id === 'string' ? content.publish_id : null;
  if (!publishId) return {};
  const shareId = await shareIdOfPublish(ctx, publishId);
  if (!shareId) return {};
  // Post ids are decimal strings (the share view's contract); anything else is not a post id.
  const postId = content.post_id === undefined || !/^\d{1,20}$/.test(String(content.post_id)) ? null : String(content.post_id);
  const messageId = dedupeId || createHash('sha256').update(JSON.stringify(hook)).digest('hex');
  for (let attempt = 0; ; attempt++) {
    const { state } = await loadShare(ctx, shareId);
    if (state.status === 'uploading' && state.upload.publishId === publishId) {
      // TikTok can finish (and announce post ids) before we have recorded the last chunk. Dropping
      // the webhook would lose the post id for good: answer "retry" (the gateway turns a 5xx into
      // 503, and TikTok redelivers for 72 h) until the share has caught up.
      throw new AppError('share_not_ready', 503, 'The share has not caught up with this publish yet; deliver again later');
    }
    const decision = decideOnWebhook(ctx, hook, state, publishId, postId, content);
    if (!decision) return {};
    if (state.status === 'processing') await reportExhaustion(ctx, state, decision);
    try {
      await processOnce(ctx.store.db, ctx.schema, WEBHOOK_INBOX, messageId, (trx) => executeOnShare(ctx, shareId, decision.command, trx));
      return {};
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || attempt >= 3) throw err;
    }
  }
}
