/**
 * `authorization.removed` (verified by the gateway): TikTok already revoked the token, so the
 * account is disconnected at once. Idempotent — TikTok delivers at least once and the decider
 * returns no event for an account that is already disconnected. Other events are not ours.
 */
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

export async function onWebhook(ctx: AuthContext, webhook: TikTokWebhookInput): Promise<Record<string, never>> {
  if (webhook.event !== 'authorization.removed') return {};
  if (webhook.client_key !== ctx.clientKey) {
    ctx.logger.warn({ event: webhook.event }, 'webhook for another client key ignored');
    return {};
  }
  await ctx.store.transaction(async (trx) => {
    await lockOpenId(trx, ctx.schema, webhook.user_openid);
    const accounts = await findByOpenId(trx, ctx.schema, webhook.user_openid);
    for (const account of accounts.filter((a) => a.status !== 'disconnected')) {
      await executeOnAccount(ctx, trx, account.accountId, { type: 'DisconnectAccount', reason: 'revoked_at_tiktok' });
      await deleteTokens(trx, ctx.schema, account.accountId);
    }
  });
  return {};
}
