/** `tiktok.rpc.publisher.creator-info`: fresh creator_info for an account the user owns. */
import { AppError } from '@tiktok-share/platform/errors.ts';
import type { CreatorInfoView } from '@tiktok-share/contracts/rest.ts';
import type { CreatorInfoResult } from '@tiktok-share/tiktok';
import type { FreshToken } from '../adapters/nats/ports.ts';
import type { PublisherContext } from './context.ts';
import { callTikTok } from './tiktok-call.ts';

/** Ownership and connection status (auth answers 404 for foreign accounts). */
export async function connectedAccount(ctx: PublisherContext, userId: string, accountId: string) {
  const account = await ctx.ports.getAccount(userId, accountId);
  if (account.status !== 'connected') throw new AppError('reauthorization_required', 409, 'The TikTok account must be connected again');
  return account;
}

/**
 * Ownership, connection status and the token in one auth round trip (`auth.token` with `userId`).
 * A reply without the echoed owner comes from an auth that ignored `userId` (mixed versions during
 * a rollout): then ownership is checked the old way, never assumed.
 */
export async function ownedToken(ctx: PublisherContext, userId: string, accountId: string): Promise<FreshToken> {
  const token = await ctx.ports.getOwnedToken(userId, accountId);
  if (token.userId === userId && token.status === 'connected') return token;
  await connectedAccount(ctx, userId, accountId);
  return token;
}

/** Always asked of TikTok, never cached: TikTok wants it fresh whenever the user composes a post. */
export async function fetchCreatorInfo(ctx: PublisherContext, accountId: string, token?: FreshToken): Promise<CreatorInfoResult> {
  return callTikTok(ctx, accountId, { endpoint: 'creator_info', retryTransient: true, ...(token ? { token } : {}) }, (t) => ctx.tiktok.creatorInfo(t.accessToken));
}

export function toCreatorInfoView(info: CreatorInfoResult): CreatorInfoView {
  if (!info.canPost) {
    return {
      nickname: '', username: '', avatarUrl: null, privacyLevelOptions: [], commentDisabled: true, duetDisabled: true,
      stitchDisabled: true, maxVideoPostDurationSec: 0, canPost: false, reason: info.reason,
    };
  }
  return {
    nickname: info.nickname, username: info.username, avatarUrl: info.avatarUrl || null, privacyLevelOptions: info.privacyLevelOptions,
    commentDisabled: info.commentDisabled, duetDisabled: info.duetDisabled, stitchDisabled: info.stitchDisabled,
    maxVideoPostDurationSec: info.maxVideoPostDurationSec, canPost: true,
  };
}

export async function getCreatorInfo(ctx: PublisherContext, input: { userId: string; accountId: string }): Promise<CreatorInfoView> {
  // The token is fetched beside the ownership check (internal, never shown); TikTok is only asked
  // once the account is known to be the user's and connected.
  const token = settled(ctx.ports.getToken(input.accountId));
  await connectedAccount(ctx, input.userId, input.accountId);
  return toCreatorInfoView(await fetchCreatorInfo(ctx, input.accountId, await token));
}

/**
 * A promise started ahead of the one awaited first: if that first one throws, this one may reject
 * unobserved, which must not count as an unhandled rejection. Awaiting the result still throws.
 */
export function settled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
