/** GET /tiktok/auth/url → a fresh single-use state bound to the user, and TikTok's authorize URL. */
import { AppError } from '@tiktok-share/platform/errors.ts';
import { encodeState, hashState, isSafeReturnTo, STATE_BYTES, STATE_TTL_MS } from '../domain/oauth-state.ts';
import { insertState, purgeExpiredStates } from '../adapters/db/state-repo.ts';
import type { AuthContext } from './context.ts';

export interface StartAuthorizationInput {
  userId: string;
  returnTo?: string | undefined;
}

export async function startAuthorization(ctx: AuthContext, input: StartAuthorizationInput): Promise<{ authUrl: string; state: string; expiresAt: string }> {
  const returnTo = input.returnTo ?? '/';
  // The gateway validates too; we re-check because the redirect is ours to get right.
  if (!isSafeReturnTo(returnTo)) throw new AppError('invalid_return_to', 400, 'returnTo must be a relative path starting with a single /');
  const now = ctx.now();
  const state = encodeState(ctx.randomBytes(STATE_BYTES));
  const expiresAt = new Date(now.getTime() + STATE_TTL_MS);
  await insertState(ctx.store.db, ctx.schema, hashState(state), { userId: input.userId, returnTo, expiresAt }, now);
  // Housekeeping, bounded by the index on expires_at; a day of slack keeps it cheap and harmless.
  await purgeExpiredStates(ctx.store.db, ctx.schema, new Date(now.getTime() - 24 * 3600_000));
  // disable_auto_auth=1: always show the consent page so a user can pick another TikTok account.
  const authUrl = ctx.tiktok.authorizeUrl({ redirectUri: ctx.redirectUri, state, scopes: ctx.scopes, disableAutoAuth: true });
  return { authUrl, state, expiresAt: expiresAt.toISOString() };
}
