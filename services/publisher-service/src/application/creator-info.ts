/** `tiktok.rpc.publisher.creator-info`: fresh creator_info for an account the user owns. */
import { AppError } from '@tiktok-share/platform/errors.ts';
import type { CreatorInfoView } from '@tiktok-share/contracts/rest.ts';
import type { CreatorInfoResult } from '@tiktok-share/tiktok';
import type { PublisherContext } from './context.ts';
import { callTikTok } from './tiktok-call.ts';

/** Ownership and connection status (auth answers 404 for foreign accounts). */
export async function connectedAccount(ctx: PublisherContext, userId: string, accountId: string) {
  const account = await ctx.ports.getAccount(userId, accountId);
  if (account.status !== 'connected') throw new AppError('reauthorization_required', 409, 'The TikTok account must be connected again');
  return account;
}

export async function fetchCreatorInfo(ctx: PublisherContext, accountId: string): Promise<CreatorInfoResult> {
  return callTikTok(ctx, accountId, { endpoint: 'creator_info', retryTransient: true }, (t) => ctx.tiktok.creatorInfo(t.accessToken));
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
  await connectedAccount(ctx, input.userId, input.accountId);
  return toCreatorInfoView(await fetchCreatorInfo(ctx, input.accountId));
}
