import { describe, expect, it } from 'vitest';
import { classifyTikTokError, FAIL_REASONS, mapFailReason, TikTokError } from './errors.ts';
import { parseJsonLossless } from './json.ts';

describe('TikTok error mapping', () => {
  it.each([
    ['rate_limit_exceeded', 429, 'rate_limited'],
    ['access_token_invalid', 401, 'reauthorize'],
    ['scope_not_authorized', 401, 'reauthorize'],
    ['invalid_grant', 200, 'reauthorize'],
    ['internal_error', 500, 'retryable'],
    ['something_new', 503, 'retryable'],
    ['temporarily_unavailable', 200, 'retryable'],
    ['network_error', 0, 'retryable'],
    ['invalid_param', 400, 'final'],
    ['invalid_params', 400, 'final'],
    ['spam_risk_too_many_posts', 403, 'final'],
    ['privacy_level_option_mismatch', 403, 'final'],
    ['unaudited_client_can_only_post_to_private_accounts', 403, 'final'],
    ['invalid_client', 200, 'final'],
  ] as const)('%s (HTTP %i) is %s', (code, status, kind) => {
    expect(classifyTikTokError(code, status)).toBe(kind);
    const err = new TikTokError({ code, httpStatus: status, logId: 'L1' });
    expect(err).toMatchObject({ code, httpStatus: status, kind, logId: 'L1' });
  });

  it('maps fail reasons: only internal and video_pull_failed are retryable', () => {
    const retryable = FAIL_REASONS.filter((r) => mapFailReason(r).retryable);
    expect(retryable).toEqual(['internal', 'video_pull_failed']);
    expect(mapFailReason('auth_removed')).toEqual({ code: 'auth_removed', retryable: false });
  });
});

describe('parseJsonLossless', () => {
  it('keeps integers beyond 2^53 exact', () => {
    const parsed = parseJsonLossless('{"ids":[7300000000000000001,12],"n":1.5}') as { ids: unknown[]; n: number };
    expect(parsed.ids).toEqual(['7300000000000000001', 12]);
    expect(parsed.n).toBe(1.5);
  });
});
