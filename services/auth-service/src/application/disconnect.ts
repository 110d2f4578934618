/**
 * DELETE /tiktok/accounts/:accountId: revoke at TikTok first (refreshing when the access token is
 * stale — TikTok refuses an expired token as unknown), then AccountDisconnected{user} and the
 * tokens are deleted. A grant TikTok already forgot is not an error: the user's intent is met.
 */
import { AppError, notFound } from '@tiktok-share/platform/errors.ts';
import { TikTokError } from '@tiktok-share/tiktok';
import { isAppError } from '@tiktok-share/platform/errors.ts';
import { deleteTokens } from '../adapters/db/token-repo.ts';
import { findAccount } from '../projections/accounts.queries.ts';
import { executeOnAccount } from './account-writer.ts';
import type { AuthContext } from './context.ts';
import type { FreshToken } from './get-fresh-token.ts';

export async function disconnectAccount(
  ctx: AuthContext,
  getFreshToken: (accountId: string) => Promise<FreshToken>,
  input: { userId: string; accountId: string },
): Promise<Record<string, never>> {
  const account = await findAccount(ctx.store.db, ctx.schema, input.accountId);
  if (!account || account.userId !== input.userId) throw notFound('Account not found');
  if (account.status === 'disconnected') return {};
  if (account.status === 'connected') await revokeAtTikTok(ctx, getFreshToken, input.accountId);
  await ctx.store.transaction(async (trx) => {
    await executeOnAccount(ctx, trx, input.accountId, { type: 'DisconnectAccount', reason: 'user' });
    await deleteTokens(trx, ctx.schema, input.accountId);
  });
  return {};
}

async function revokeAtTikTok(ctx: AuthContext, getFreshToken: (accountId: string) => Promise<FreshToken>, accountId: string): Promise<void> {
  let token: FreshToken;
  try {
    token = await getFreshToken(accountId);
  } catch (err) {
    // No usable grant left (refresh_failed just recorded): nothing to revoke.
    if (isAppError(err) && err.code === 'reauthorization_required') return;
    throw err;
  }
  try {
    await ctx.tiktok.revoke(token.accessToken);
  } catch (err) {
    if (err instanceof TikTokError && err.kind === 'reauthorize') return;
    ctx.logger.warn({ accountId, tiktokCode: err instanceof TikTokError ? err.code : 'unknown' }, 'revoke failed');
    throw new AppError('tiktok_unavailable', 503, 'TikTok could not revoke the authorization; try again later', {}, { cause: err });
  }
}
