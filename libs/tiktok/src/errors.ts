/**
 * The ONE mapping of TikTok failures (Open API envelope codes, OAuth `error` values, HTTP
 * statuses, transport failures, async `fail_reason`s) to what the caller should do.
 */

/**
 * - `retryable`: try again later (same request; for an init, only after reconciling — see publisher);
 * - `reauthorize`: the credential is not good enough: refresh the access token
 *   (`access_token_invalid`) or, if that fails (`invalid_grant`, `scope_not_authorized`), ask the user;
 * - `rate_limited`: wait for the per-token minute window;
 * - `final`: the request can never succeed as is.
 */
export type TikTokErrorKind = 'retryable' | 'reauthorize' | 'final' | 'rate_limited';

export type TikTokErrorInit = {
  code: string;
  httpStatus: number;
  message?: string;
  logId?: string | undefined;
  /** Upload 416 only: bytes TikTok says it has, from the answer's Content-Range. */
  uploadedBytes?: number | undefined;
  cause?: unknown;
};

/** Every failure of the client. `code` is TikTok's (or `network_error`, `timeout`, `invalid_response`). */
export class TikTokError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly kind: TikTokErrorKind;
  readonly logId: string | undefined;
  readonly uploadedBytes: number | undefined;
  constructor(init: TikTokErrorInit) {
    super(init.message ? `${init.code}: ${init.message}` : init.code, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'TikTokError';
    this.code = init.code;
    this.httpStatus = init.httpStatus;
    this.kind = classifyTikTokError(init.code, init.httpStatus);
    this.logId = init.logId;
    this.uploadedBytes = init.uploadedBytes;
  }
}

const REAUTHORIZE = new Set([
  'access_token_invalid',
  'scope_not_authorized',
  'invalid_grant', // OAuth: code/refresh token invalid, expired, revoked or already rotated
  'access_denied',
  'token_expired', // seen in client mappings only
]);
const RETRYABLE = new Set([
  'internal_error',
  'server_error',
  'temporarily_unavailable',
  'network_error',
  'timeout',
  'range_not_satisfiable', // resync from the 416 Content-Range, then continue
]);

/**
 * Classifies a TikTok code + HTTP status. Unknown codes are final unless the status is 5xx/429.
 * `invalid_param` (posting pages) and `invalid_params` (general page, real responses) are both final.
 * @example classifyTikTokError('rate_limit_exceeded', 429) // → 'rate_limited'
 */
export function classifyTikTokError(code: string, httpStatus: number): TikTokErrorKind {
  if (code === 'rate_limit_exceeded' || httpStatus === 429) return 'rate_limited';
  if (REAUTHORIZE.has(code)) return 'reauthorize';
  if (RETRYABLE.has(code) || httpStatus >= 500) return 'retryable';
  return 'final';
}

/** The `fail_reason` values of status/fetch and `reason` of post.publish.failed (CP-ST). */
export const FAIL_REASONS = [
  'file_format_check_failed',
  'duration_check_failed',
  'frame_rate_check_failed',
  'picture_size_check_failed',
  'internal',
  'video_pull_failed',
  'photo_pull_failed',
  'publish_cancelled',
  'auth_removed',
  'spam_risk_too_many_posts',
  'spam_risk_user_banned_from_posting',
  'spam_risk_text',
  'spam_risk',
] as const;
export type FailReason = (typeof FAIL_REASONS)[number];

/**
 * Maps an asynchronous fail_reason: `internal` (TikTok outage) and `video_pull_failed`
 * (download error / 1 h timeout, URL still valid) are retryable; everything else is final.
 * @example mapFailReason('internal') // → { code: 'internal', retryable: true }
 */
export function mapFailReason(reason: string): { code: string; retryable: boolean } {
  return { code: reason, retryable: reason === 'internal' || reason === 'video_pull_failed' };
}
