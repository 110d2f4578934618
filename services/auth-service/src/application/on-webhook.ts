/**
 * `authorization.removed` (verified by the gateway): TikTok already revoked the token, so the
 * account is disconnected at once. TikTok delivers at least once and retries for 72 h: the inbox
 * (`processOnce` keyed by the gateway's `webhook-dedupe-id`, sha256 of the raw body) drops a
 * redelivery — which matters when the creator reconnected in between: the old removal must not end
 * the new connection. The decider also returns no event for an account already disconnected.
 * No TikTok call here, so the whole handling is one short transaction. Other events are not ours.
 */
import { createHash } from 'node:crypto';
import { processOnce } from '@tiktok-share/eventstore';
import { lockOpenId } from '../adapters/db/locks.ts';
import { deleteTokens } from '../adapters/db/token-repo.ts';
import { findByOpenId } from '../projections/accounts.queries.ts';
import { executeOnAccount } from './account-writer.ts';
import type { AuthContext } from './context.ts';

export interface TikTokWebhookInput {
  client_key: string;
  event: string;
  create_time: number;
  user_openid: string;
  content: string;
}

/** Inbox consumer name of webhooks (docs/internals.md). */
export const WEBHOOK_INBOX = 'webhooks';

/** `dedupeId`: the gateway's header; without it (a direct RPC) a hash of the parsed webhook stands in. */
export async function onWebhook(ctx: AuthContext, webhook: TikTokWebhookInput, dedupeId?: string): Promise<Record<string, never>> {
  if (webhook.event !== 'authorization.removed') return {};
  if (webhook.client_key !== ctx.clientKey) {
    ctx.logger.warn({ event: webhook.event }, 'webhook for another client key ignored');
    return {};
  }
  const messageId = dedupeId || createHash('sha256').update(JSON.stringify(webhook)).digest('hex');
  await processOnce(ctx.store.db, ctx.schema, WEBHOOK_INBOX, messageId, async (trx) => {
    await lockOpenId(trx, ctx.schema, webhook.user_openid);
    const accounts = await findByOpenId(trx, ctx.schema, webhook.user_openid);
    for (const account of accounts.filter((a) => a.status !== 'disconnected')) {
      await executeOnAccount(ctx, trx, account.accountId, { type: 'DisconnectAccount', reason: 'revoked_at_tiktok' });
      await deleteTokens(trx, ctx.schema, account.accountId);
    }
  });
  return {};
}
