/**
 * Per-token sliding rate windows, one per (creator, endpoint).
 *
 * TikTok counts requests per access token in a sliding one-minute window (tiktok-api.md §5) and
 * counts them when they *arrive*. A grant at T is sent at T + d; two grants are safe when TikTok
 * sees them more than 60 s apart. Treating the window as 61 s leaves a full second for network
 * delay and clock jitter between a grant and its request's arrival, so TikTok never sees a 7th
 * init inside its minute. A retried HTTP request is a new request and must acquire again.
 *
 * Keyed by openId: our system holds one access token per creator at a time (auth-service keeps the
 * newest after a rotation), so "per token" and "per creator" coincide; a token change never
 * widens the window because the old token's grants stay counted under the same key.
 */

export const RATE_ENDPOINTS = ['video_init', 'inbox_init', 'creator_info', 'status'] as const;
export type RateEndpoint = (typeof RATE_ENDPOINTS)[number];

/** TikTok's documented per-token limits per minute. */
export const RATE_LIMITS: Readonly<Record<RateEndpoint, number>> = {
  video_init: 6,
  inbox_init: 6,
  creator_info: 20,
  status: 30,
};

/** 60 s window + 1 s safety margin. */
export const RATE_WINDOW_MS = 61_000;

export interface RateWindowState {
  /** Grant times (epoch ms), ascending, only those still inside the window. */
  grants: readonly number[];
}

export type RateVerdict = { granted: true; state: RateWindowState } | { granted: false; waitMs: number; state: RateWindowState };

/**
 * Decide one acquisition at `at`. Time never runs backwards inside a window: an instance whose
 * clock lags behind the last grant is treated as acquiring at that grant's time, so clock skew
 * between instances cannot sneak an extra grant into the past.
 */
export function acquireRate(state: RateWindowState, at: Date, limit: number, windowMs: number = RATE_WINDOW_MS): RateVerdict {
  const last = state.grants[state.grants.length - 1] ?? 0;
  const now = Math.max(at.getTime(), last);
  const live = state.grants.filter((t) => t > now - windowMs);
  if (live.length < limit) return { granted: true, state: { grants: [...live, now] } };
  const blocking = live[live.length - limit] ?? now;
  // Measured on the caller's own clock, so a lagging caller waits long enough too.
  return { granted: false, waitMs: Math.max(1, blocking + windowMs - at.getTime()), state: { grants: live } };
}

/** Usage of a window at `at`, for the quota view. `resetsAt` = when the oldest grant leaves it. */
export function rateUsage(state: RateWindowState, at: Date, windowMs: number = RATE_WINDOW_MS): { used: number; resetsAt: number | null } {
  const now = at.getTime();
  const live = state.grants.filter((t) => t > now - windowMs);
  const first = live[0];
  return { used: live.length, resetsAt: first === undefined ? null : first + windowMs };
}

export function isRateEndpoint(value: string): value is RateEndpoint {
  return (RATE_ENDPOINTS as readonly string[]).includes(value);
}
