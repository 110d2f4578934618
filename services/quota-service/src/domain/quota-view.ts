/**
 * The numbers the share UI shows (DESIGN §5 `GET /tiktok/quota`), computed purely from the
 * creator's ledger and rate windows at a given time.
 */
import { countedReservations, DAY_MS, type CreatorQuotaState, type QuotaPolicy } from './creator-quota.ts';
import { slotFreesAt } from './creator-quota.decide.ts';
import { RATE_ENDPOINTS, RATE_LIMITS, rateUsage, type RateEndpoint, type RateWindowState } from './rate-window.ts';

export interface QuotaView {
  /** `used`: Direct Posts reserved or accepted by TikTok in the last 24 h. */
  daily: { limit: number; used: number; remaining: number; resetsAt: string | null };
  drafts: { limit: number; pending: number };
  rate: Record<RateEndpoint, { limit: number; used: number; resetsAt: string | null }>;
}

/**
 * `daily.resetsAt`: when a slot frees up if the cap is reached (or the exhaustion ends), else
 * when the oldest counted post leaves the window; null when nothing counts.
 */
export function quotaView(
  creator: CreatorQuotaState,
  rate: Partial<Record<RateEndpoint, RateWindowState>>,
  at: Date,
  policy: QuotaPolicy,
): QuotaView {
  const now = at.getTime();
  const direct = countedReservations(creator, 'direct', now);
  const drafts = countedReservations(creator, 'draft', now);
  const exhausted = creator.dailyExhaustedUntil > now;
  const remaining = exhausted ? 0 : Math.max(0, policy.dailyPostLimit - direct.length);
  const resetsAt = exhausted
    ? Math.max(creator.dailyExhaustedUntil, slotFreesAt(direct, policy.dailyPostLimit))
    : remaining === 0
      ? slotFreesAt(direct, policy.dailyPostLimit)
      : (direct[0]?.countedFrom ?? -DAY_MS) + DAY_MS;
  return {
    daily: { limit: policy.dailyPostLimit, used: direct.length, remaining, resetsAt: resetsAt > 0 ? iso(resetsAt) : null },
    drafts: { limit: policy.pendingDraftLimit, pending: drafts.length },
    rate: rateView(rate, at),
  };
}

function rateView(rate: Partial<Record<RateEndpoint, RateWindowState>>, at: Date): QuotaView['rate'] {
  const out = {} as QuotaView['rate'];
  for (const endpoint of RATE_ENDPOINTS) {
    const usage = rateUsage(rate[endpoint] ?? { grants: [] }, at);
    out[endpoint] = { limit: RATE_LIMITS[endpoint], used: usage.used, resetsAt: usage.resetsAt === null ? null : iso(usage.resetsAt) };
  }
  return out;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
