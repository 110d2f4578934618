/**
 * Persists a TikTok token pair for an account: both tokens encrypted (bound to the account and the
 * field), with the expiries the caller derived from TikTok's answer. One place for connect and
 * refresh, so both store tokens the same way.
 */
import type { AnyTrx } from '@tiktok-share/eventstore/types.ts';
import { saveTokens } from '../adapters/db/token-repo.ts';
import type { AuthContext } from './context.ts';

export interface PlainTokens {
  accountId: string;
  openId: string;
  accessToken: string;
  refreshToken: string;
}

export async function storeTokens(
  ctx: AuthContext,
  trx: AnyTrx,
  tokens: PlainTokens,
  times: { now: Date; accessExpiresAt: Date; refreshExpiresAt: Date },
): Promise<void> {
  const { accountId } = tokens;
  await saveTokens(trx, ctx.schema, {
    accountId,
    openId: tokens.openId,
    accessTokenEnc: await ctx.cipher.encrypt(tokens.accessToken, `${accountId}:access`),
    refreshTokenEnc: await ctx.cipher.encrypt(tokens.refreshToken, `${accountId}:refresh`),
    accessIssuedAt: times.now,
    accessExpiresAt: times.accessExpiresAt,
    refreshExpiresAt: times.refreshExpiresAt,
  }, times.now);
}
