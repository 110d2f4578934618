/**
 * GET /tiktok/auth/callback. Always answers a redirect. The state is consumed before anything
 * else (single use, even when the rest fails), and a forged, reused, expired or foreign state
 * connects nothing. Then: code → tokens (libs/tiktok), user info, and the connection itself.
 */
import { randomBytes } from 'node:crypto';
import { TikTokError } from '@tiktok-share/tiktok';
import type { TokenSet } from '@tiktok-share/tiktok';
import { callbackErrorCode, hashState, isWellFormedState, withResult } from '../domain/oauth-state.ts';
import { expiryFrom } from '../domain/token-policy.ts';
import { consumeState } from '../adapters/db/state-repo.ts';
import { lockOpenId } from '../adapters/db/locks.ts';
import { deleteTokens } from '../adapters/db/token-repo.ts';
import { findByOpenId } from '../projections/accounts.queries.ts';
import { executeOnAccount } from './account-writer.ts';
import type { AuthContext } from './context.ts';
import { storeTokens } from './store-tokens.ts';

export interface CallbackInput {
  state: string;
  code?: string | undefined;
  scopes?: string | undefined;
  error?: string | undefined;
  errorDescription?: string | undefined;
  /** When the gateway knows who is at the browser (session), it must be the state's user. */
  userId?: string | undefined;
}

const invalidState = { redirectTo: withResult('/', { tiktok: 'error', code: 'invalid_state' }) };

export async function completeAuthorization(ctx: AuthContext, input: CallbackInput): Promise<{ redirectTo: string }> {
  if (!isWellFormedState(input.state)) return invalidState;
  const stored = await consumeState(ctx.store.db, ctx.schema, hashState(input.state));
  if (!stored || stored.expiresAt.getTime() <= ctx.now().getTime()) return invalidState;
  if (input.userId !== undefined && input.userId !== stored.userId) return invalidState;
  const fail = (code: string) => ({ redirectTo: withResult(stored.returnTo, { tiktok: 'error', code }) });
  if (input.error !== undefined) return fail(callbackErrorCode(input.error));
  if (!input.code) return fail('authorization_failed');
  try {
    const tokens = await ctx.tiktok.exchangeCode({ code: input.code, redirectUri: ctx.redirectUri });
    const profile = await fetchProfile(ctx, tokens);
    const accountId = await connectAccount(ctx, stored.userId, tokens, profile);
    return { redirectTo: withResult(stored.returnTo, { tiktok: 'connected', accountId }) };
  } catch (err) {
    // Never log the error object of the token call as is: keep to code and kind.
    if (err instanceof TikTokError) {
      ctx.logger.warn({ tiktokCode: err.code, kind: err.kind, logId: err.logId }, 'tiktok authorization failed');
      return fail(err.code === 'invalid_grant' ? 'invalid_grant' : 'tiktok_error');
    }
    throw err;
  }
}

interface Profile {
  displayName: string;
  avatarUrl: string | null;
}

async function fetchProfile(ctx: AuthContext, tokens: TokenSet): Promise<Profile> {
  // Basic fields only: asking for a field whose scope was not granted fails the whole call.
  const user = await ctx.tiktok.userInfo(tokens.accessToken, ['open_id', 'union_id', 'avatar_url', 'display_name']);
  if (typeof user['open_id'] === 'string' && user['open_id'] !== tokens.openId) {
    throw new TikTokError({ code: 'invalid_response', httpStatus: 200, message: 'user info open_id differs from the token open_id' });
  }
  return {
    displayName: typeof user['display_name'] === 'string' ? user['display_name'] : '',
    avatarUrl: typeof user['avatar_url'] === 'string' ? user['avatar_url'] : null,
  };
}

export function newAccountId(): string {
  return `acc_${randomBytes(16).toString('base64url')}`;
}

/**
 * One transaction under the open_id lock: end the connection of any other user holding this
 * open_id (`connected_elsewhere`), then (re)connect the account of (user, open_id) — the same
 * accountId as before when it exists — and store the NEW tokens in the same transaction, so a
 * reconnect replaces the refresh token instead of losing it.
 */
async function connectAccount(ctx: AuthContext, userId: string, tokens: TokenSet, profile: Profile): Promise<string> {
  const now = ctx.now();
  return ctx.store.transaction(async (trx) => {
    await lockOpenId(trx, ctx.schema, tokens.openId);
    const existing = await findByOpenId(trx, ctx.schema, tokens.openId);
    const mine = existing.find((a) => a.userId === userId);
    const previous = existing.find((a) => a.userId !== userId && a.status !== 'disconnected');
    for (const other of existing.filter((a) => a.userId !== userId && a.status !== 'disconnected')) {
      await executeOnAccount(ctx, trx, other.accountId, { type: 'DisconnectAccount', reason: 'connected_elsewhere' });
      await deleteTokens(trx, ctx.schema, other.accountId);
    }
    const accountId = mine?.accountId ?? newAccountId();
    const accessExpiresAt = expiryFrom(now, tokens.expiresIn);
    const refreshExpiresAt = expiryFrom(now, tokens.refreshExpiresIn);
    await executeOnAccount(ctx, trx, accountId, {
      type: 'ConnectAccount',
      accountId,
      userId,
      openId: tokens.openId,
      displayName: profile.displayName,
      avatarUrl: profile.avatarUrl,
      scopes: tokens.scopes,
      previousUserId: previous?.userId ?? null,
      accessExpiresAt: accessExpiresAt.toISOString(),
      refreshExpiresAt: refreshExpiresAt.toISOString(),
      at: now.toISOString(),
    });
    await storeTokens(ctx, trx, { accountId, openId: tokens.openId, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }, { now, accessExpiresAt, refreshExpiresAt });
    return accountId;
  });
}
