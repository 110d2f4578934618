/**
 * `tiktok.rpc.publisher.webhook`: post.publish.* events (signature verified by the gateway).
 * Deliveries are at least once and race with polling; the decider makes every repeat a no-op.
 * `content` is a JSON string; post ids are parsed losslessly.
 */
import { sql } from 'kysely';
import { parseJsonLossless } from '@tiktok-share/tiktok';
import type { TikTokWebhook } from '@tiktok-share/contracts/rest.ts';
import type { PublisherContext } from './context.ts';
import { applyStatus } from './follow-status.ts';
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

export async function onWebhook(ctx: PublisherContext, hook: TikTokWebhook): Promise<Record<string, never>> {
  if (!hook.event.startsWith('post.publish.')) return {};
  const content = contentOf(hook.content);
  const publishId = typeof content.publish_id === 'string' ? content.publish_id : null;
  if (!publishId) return {};
  const shareId = await shareIdOfPublish(ctx, publishId);
  if (!shareId) return {};
  const { state } = await loadShare(ctx, shareId);
  const postId = content.post_id === undefined ? null : String(content.post_id);
  const at = ctx.now().toISOString();
  if ((state.status === 'published' || state.status === 'in_inbox') && postId) {
    await executeOnShare(ctx, shareId, { type: 'DiscoverPostIds', publishId, postIds: [postId] });
    return {};
  }
  if (state.status !== 'processing' || state.upload.publishId !== publishId) return {};
  switch (hook.event) {
    case 'post.publish.complete':
    case 'post.publish.publicly_available':
      await executeOnShare(ctx, shareId, { type: 'CompletePublish', publishId, postIds: postId ? [postId] : [], at });
      break;
    case 'post.publish.inbox_delivered':
      await applyStatus(ctx, shareId, state, { status: 'SEND_TO_USER_INBOX', postIds: [] });
      break;
    case 'post.publish.failed':
      await applyStatus(ctx, shareId, state, { status: 'FAILED', failReason: typeof content.reason === 'string' ? content.reason : 'unknown', postIds: [] });
      break;
    default:
      break;
  }
  return {};
}
