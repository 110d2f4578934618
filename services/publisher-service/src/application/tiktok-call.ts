/**
 * Every TikTok call goes through here: a fresh token from auth-service, then a grant from the
 * quota ledger's per-token minute window (waiting when told to wait), then the call. A token TikTok
 * rejects (`access_token_invalid`, e.g. expired early) is named to auth by its sha256
 * (`rejectedAccessTokenSha256`), which refreshes it single-flight; the call is repeated once with the
 * new token — safe for init too: TikTok answered 401, so no publish was created.
 */
import { createHash } from 'node:crypto';
import { TikTokError } from '@tiktok-share/tiktok';
import type { FreshToken, RateEndpoint } from '../adapters/nats/ports.ts';
import type { PublisherContext } from './context.ts';

/** Rate windows are per access token: a new token (refresh) is a new window. Never the token itself. */
export function tokenKeyOf(token: FreshToken): string {
  return createHash('sha256').update(`${token.openId}|${token.accessExpiresAt}`).digest('hex').slice(0, 32);
}

async function waitForGrant(ctx: PublisherContext, token: FreshToken, endpoint: RateEndpoint): Promise<void> {
  for (;;) {
    const grant = await ctx.ports.acquire(tokenKeyOf(token), endpoint, token.openId);
    if (grant.granted) return;
    await ctx.sleep(Math.max(50, grant.waitMs));
  }
}

export interface CallOptions {
  /** Rate-limited endpoint, or null for calls TikTok does not window (user info, chunk PUT). */
  endpoint: RateEndpoint | null;
  /**
   * Retry 5xx / transport failures. Reads only (status, creator_info): an init that failed that way
   * may still have created a publish at TikTok, so it is never repeated blindly.
   */
  retryTransient?: boolean;
  /** A token the caller already fetched for this account (fetched in parallel with other checks). */
  token?: FreshToken;
}

/**
 * @example const info = await callTikTok(ctx, accountId, { endpoint: 'creator_info' }, (t) => ctx.tiktok.creatorInfo(t.accessToken));
 */
export async function callTikTok<T>(ctx: PublisherContext, accountId: string, opts: CallOptions, fn: (token: FreshToken) => Promise<T>): Promise<T> {
  let token = opts.token ?? (await ctx.ports.getToken(accountId));
  let refreshed = false;
  for (let attempt = 0; ; attempt++) {
    if (opts.endpoint) await waitForGrant(ctx, token, opts.endpoint);
    try {
      return await fn(token);
    } catch (err) {
      if (!(err instanceof TikTokError) || attempt >= 5) throw err;
      if (err.code === 'access_token_invalid' && !refreshed) {
        refreshed = true;
        token = await ctx.ports.getToken(accountId, token.accessToken);
        continue;
      }
      if (err.kind === 'rate_limited') {
        await ctx.sleep(ctx.config.retryBaseMs * 2 ** attempt + 1_000);
        continue;
      }
      if (err.kind === 'retryable' && opts.retryTransient) {
        await ctx.sleep(ctx.config.retryBaseMs * 2 ** attempt);
        continue;
      }
      throw err;
    }
  }
}
