/**
 * `tiktok.rpc.auth.token`: a valid access token for the publisher.
 *
 * Refresh is proactive (token-policy.ts) and single-flight at two levels:
 *  - in this process, concurrent callers for one account share one promise (saves pool
 *    connections that would otherwise all queue on the lock);
 *  - across instances, the refresh runs under the account's advisory lock, and the token row is
 *    RE-READ after the lock is acquired: if another instance refreshed meanwhile, its token is used
 *    and TikTok is not called again (TikTok rotates refresh tokens — a second refresh with the old
 *    one would get invalid_grant and, in peers' code, disconnect a healthy account).
 * The new refresh token, the AccountTokenRefreshed event and the generation bump commit together.
 *
 * Forced refresh: TikTok may invalidate an access token before the expiry it announced. A caller
 * that got 401 access_token_invalid passes the token's fingerprint (`rejected`); while that is
 * still the current token's fingerprint we refresh regardless of the recorded expiry. The same
 * re-read-under-lock rule makes this single-flight too: once anyone has refreshed, the fingerprint
 * no longer matches and the new token is answered. A stale fingerprint (of an older token) never
 * forces anything, so late 401s cannot cause a refresh storm.
 */
import { timingSafeEqual } from 'node:crypto';
import { accessTokenFingerprint } from '@tiktok-share/contracts/rpc.ts';
import { AppError, notFound } from '@tiktok-share/platform/errors.ts';
import { TikTokError } from '@tiktok-share/tiktok';
import type { AnyTrx } from '@tiktok-share/eventstore/types.ts';
import { expiryFrom, needsRefresh } from '../domain/token-policy.ts';
import { deleteTokens, findAccountTokens, findTokens, reencryptTokens, type TokenRow } from '../adapters/db/token-repo.ts';
import { lockAccount } from '../adapters/db/locks.ts';
import { executeOnAccount, loadAccount } from './account-writer.ts';
import type { AuthContext } from './context.ts';
import { storeTokens } from './store-tokens.ts';

export interface FreshToken {
  accessToken: string;
  openId: string;
  scopes: string[];
  accessExpiresAt: string;
}

export function reauthorizationRequired(): AppError {
  return new AppError('reauthorization_required', 409, 'The TikTok account must be connected again');
}

function tiktokUnavailable(cause: unknown): AppError {
  return new AppError('tiktok_unavailable', 503, 'TikTok could not refresh the access token; try again later', {}, { cause });
}

export function createTokenService(ctx: AuthContext) {
  const inFlight = new Map<string, Promise<FreshToken>>();

  /**
   * @param rejected fingerprint (accessTokenFingerprint) of a token TikTok refused; forces a
   *   refresh while it is still the current token.
   * @param userId when given, the account must be this user's: 404 otherwise, checked before the
   *   status (as `accounts.get` + the publisher's status check answer), so a foreign account's
   *   state is never revealed.
   */
  async function getFreshToken(accountId: string, rejected?: string, userId?: string): Promise<FreshToken> {
    const account = await findAccountTokens(ctx.store.db, ctx.schema, accountId);
    if (!account || (userId !== undefined && account.userId !== userId)) throw notFound('Account not found');
    if (account.status !== 'connected') throw reauthorizationRequired();
    const row = account.tokens;
    if (!row) throw reauthorizationRequired();
    const forced = rejected !== undefined && (await isCurrentToken(ctx, row, rejected));
    if (!forced && !needsRefresh(row, ctx.now())) return reveal(ctx, row, account.scopes);
    // Forced and proactive refreshes don't share a promise: a proactive one may legitimately
    // answer the current (rejected) token after its re-read, which a forced caller must not get.
    const key = forced ? `${accountId}:${rejected}` : accountId;
    let p = inFlight.get(key);
    if (!p) {
      p = refreshUnderLock(ctx, accountId, forced ? rejected : undefined).finally(() => inFlight.delete(key));
      inFlight.set(key, p);
    }
    return p;
  }

  return { getFreshToken };
}

/** Decrypt, and re-encrypt under the current key when the row still uses an older one. */
async function reveal(ctx: AuthContext, row: TokenRow, scopes: string[]): Promise<FreshToken> {
  const access = await ctx.cipher.decrypt(row.accessTokenEnc, `${row.accountId}:access`);
  if (access.stale) {
    const refresh = await ctx.cipher.decrypt(row.refreshTokenEnc, `${row.accountId}:refresh`);
    await reencryptTokens(ctx.store.db, ctx.schema, row.accountId, row.generation, {
      access: await ctx.cipher.encrypt(access.plaintext, `${row.accountId}:access`),
      refresh: await ctx.cipher.encrypt(refresh.plaintext, `${row.accountId}:refresh`),
    });
  }
  return { accessToken: access.plaintext, openId: row.openId, scopes, accessExpiresAt: row.accessExpiresAt.toISOString() };
}

/** Is `fingerprint` the sha256 of the row's current access token? (decrypts; never logs it) */
async function isCurrentToken(ctx: AuthContext, row: TokenRow, fingerprint: string): Promise<boolean> {
  const access = await ctx.cipher.decrypt(row.accessTokenEnc, `${row.accountId}:access`);
  const current = Buffer.from(accessTokenFingerprint(access.plaintext), 'utf8');
  const given = Buffer.from(fingerprint, 'utf8');
  return current.length === given.length && timingSafeEqual(current, given);
}

type Outcome = { ok: true; token: FreshToken } | { ok: false; error: AppError };

async function refreshUnderLock(ctx: AuthContext, accountId: string, rejected: string | undefined): Promise<FreshToken> {
  // The transaction returns an outcome rather than throwing, so the refresh_failed disconnect commits.
  const outcome = await ctx.store.transaction((trx) => refreshIn(ctx, trx, accountId, rejected));
  if (!outcome.ok) throw outcome.error;
  return outcome.token;
}

async function refreshIn(ctx: AuthContext, trx: AnyTrx, accountId: string, rejected: string | undefined): Promise<Outcome> {
  const { state } = await lockAndLoad(ctx, trx, accountId);
  if (state.status !== 'connected') return { ok: false, error: reauthorizationRequired() };
  const row = await findTokens(trx, ctx.schema, accountId, true);
  if (!row) return { ok: false, error: reauthorizationRequired() };
  // Re-read after the lock: another instance may have refreshed while we waited (then the
  // rejected fingerprint no longer matches and the row is fresh).
  const forced = rejected !== undefined && (await isCurrentToken(ctx, row, rejected));
  if (!forced && !needsRefresh(row, ctx.now())) return { ok: true, token: await reveal(ctx, row, state.scopes) };
  if (forced) ctx.logger.info({ accountId }, 'access token rejected by TikTok before its expiry; refreshing');
  const refreshToken = (await ctx.cipher.decrypt(row.refreshTokenEnc, `${accountId}:refresh`)).plaintext;
  let tokens;
  try {
    tokens = await ctx.tiktok.refresh(refreshToken);
  } catch (err) {
    if (err instanceof TikTokError && err.code === 'invalid_grant') {
      // We hold the lock and re-read the row, so the refresh token we used IS the current one:
      // the grant is really gone (revoked or expired), not lost to a concurrent rotation.
      ctx.logger.warn({ accountId, tiktokCode: err.code }, 'refresh token rejected; reauthorization required');
      await executeOnAccount(ctx, trx, accountId, { type: 'DisconnectAccount', reason: 'refresh_failed' });
      await deleteTokens(trx, ctx.schema, accountId);
      return { ok: false, error: reauthorizationRequired() };
    }
    ctx.logger.warn({ accountId, tiktokCode: err instanceof TikTokError ? err.code : 'unknown' }, 'token refresh failed');
    return { ok: false, error: tiktokUnavailable(err) };
  }
  const now = ctx.now();
  const accessExpiresAt = expiryFrom(now, tokens.expiresIn);
  const refreshExpiresAt = expiryFrom(now, tokens.refreshExpiresIn);
  // TikTok may (older docs) or must (newer docs) rotate: keep the returned one, else the old.
  await storeTokens(ctx, trx, { accountId, openId: row.openId, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken || refreshToken }, { now, accessExpiresAt, refreshExpiresAt });
  await executeOnAccount(ctx, trx, accountId, { type: 'RecordTokenRefresh', accessExpiresAt: accessExpiresAt.toISOString(), refreshExpiresAt: refreshExpiresAt.toISOString() });
  const scopes = tokens.scopes.length > 0 ? tokens.scopes : state.scopes;
  return { ok: true, token: { accessToken: tokens.accessToken, openId: row.openId, scopes, accessExpiresAt: accessExpiresAt.toISOString() } };
}

async function lockAndLoad(ctx: AuthContext, trx: AnyTrx, accountId: string) {
  // executeOnAccount locks again later; advisory locks are re-entrant within a session.
  await lockAccount(trx, ctx.schema, accountId);
  return loadAccount(ctx, trx, accountId);
}
