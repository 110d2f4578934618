/** TikTok failures → the stable `code` / `retryable` of PublishFailed (one mapping for init, upload, status, webhooks). */
import { TikTokError } from '@tiktok-share/tiktok';
import { isAppError } from '@tiktok-share/platform/errors.ts';

export interface FailureInfo {
  code: string;
  message: string;
  retryable: boolean;
}

const BY_CODE: Record<string, FailureInfo> = {
  spam_risk_too_many_posts: { code: 'daily_limit_reached', message: 'TikTok says this creator reached the daily post limit', retryable: true },
  spam_risk_too_many_pending_share: { code: 'pending_drafts_limit_reached', message: 'TikTok says this creator has too many pending drafts', retryable: true },
  spam_risk_user_banned_from_posting: { code: 'creator_banned_from_posting', message: 'TikTok has banned this creator from posting', retryable: false },
  reached_active_user_cap: { code: 'app_creator_cap_reached', message: 'The app reached TikTok\'s daily cap of posting creators', retryable: true },
  unaudited_client_can_only_post_to_private_accounts: { code: 'unaudited_app_private_only', message: 'Unaudited apps can only post to private accounts', retryable: false },
  privacy_level_option_mismatch: { code: 'privacy_level_not_allowed', message: 'TikTok refused the privacy level', retryable: false },
  url_ownership_unverified: { code: 'video_source_not_allowed', message: 'TikTok has not verified the video URL prefix', retryable: false },
  scope_not_authorized: { code: 'reauthorization_required', message: 'The account did not grant the needed scope; connect it again', retryable: false },
  access_token_invalid: { code: 'reauthorization_required', message: 'TikTok refused the access token; connect the account again', retryable: false },
  auth_removed: { code: 'reauthorization_required', message: 'The creator removed the app\'s access during the publish', retryable: false },
  rate_limit_exceeded: { code: 'rate_limited', message: 'TikTok rate limit exceeded', retryable: true },
};

/** An error from TikTok (or from auth/quota on the way) as a share failure. */
export function failureOf(err: unknown): FailureInfo {
  if (err instanceof TikTokError) {
    const known = BY_CODE[err.code];
    if (known) return known;
    return { code: `tiktok_${err.code}`, message: `TikTok answered ${err.code}`, retryable: err.kind === 'retryable' || err.kind === 'rate_limited' };
  }
  if (isAppError(err)) return { code: err.code, message: err.message, retryable: err.status >= 500 || err.status === 429 };
  return { code: 'internal_error', message: 'An unexpected error stopped the publish', retryable: true };
}

/** An asynchronous fail_reason (status/fetch or post.publish.failed). */
export function failureOfReason(reason: string): FailureInfo {
  const known = BY_CODE[reason];
  if (known) return known;
  const retryable = reason === 'internal' || reason === 'video_pull_failed';
  return { code: reason, message: `TikTok could not publish the video (${reason})`, retryable };
}
