/**
 * When to refresh: proactively, once less than 25 % of the access token's lifetime or less than
 * 5 minutes is left (TikTok's lifetimes changed between doc revisions — 24 h vs 2 h — so we trust
 * each response's expires_in rather than a constant).
 */
export const MIN_REMAINING_MS = 5 * 60 * 1000;
export const REMAINING_FRACTION = 0.25;

export interface TokenTimes {
  accessIssuedAt: Date;
  accessExpiresAt: Date;
}

export function needsRefresh(t: TokenTimes, now: Date): boolean {
  const lifetime = t.accessExpiresAt.getTime() - t.accessIssuedAt.getTime();
  const remaining = t.accessExpiresAt.getTime() - now.getTime();
  return remaining < MIN_REMAINING_MS || remaining < lifetime * REMAINING_FRACTION;
}

/** Absolute expiry from a relative `expires_in` (seconds). */
export function expiryFrom(now: Date, expiresInSec: number): Date {
  return new Date(now.getTime() + expiresInSec * 1000);
}
