import { describe, expect, it } from 'vitest';
import { DAY_MS, DEFAULT_POLICY, RESERVATION_TTL_MS, type CreatorQuotaEvent } from './creator-quota.ts';
import { quotaView } from './quota-view.ts';
import { RATE_WINDOW_MS } from './rate-window.ts';
import { stateOf } from './spec.ts';

const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function reservedConsumed(shareId: string, at: number, mode: 'direct' | 'draft', consume: boolean): CreatorQuotaEvent[] {
  const r: CreatorQuotaEvent = {
    type: 'QuotaReserved',
    data: { reservationId: shareId, shareId, accountId: 'a', openId: 'o', mode, kind: mode === 'direct' ? 'daily_post' : 'pending_draft', limit: 15, used: 1, windowStartsAt: iso(at - DAY_MS), reservedAt: iso(at), expiresAt: iso(at + RESERVATION_TTL_MS) },
  };
  if (!consume) return [r];
  return [r, { type: 'ReservationConsumed', data: { reservationId: shareId, shareId, openId: 'o', mode, publishId: null, consumedAt: iso(at), late: false } }];
}

describe('quotaView', () => {
  it('shows an empty ledger', () => {
    const v = quotaView(stateOf([]), {}, new Date(T0), DEFAULT_POLICY);
    expect(v.daily).toEqual({ limit: 15, used: 0, remaining: 15, resetsAt: null });
    expect(v.drafts).toEqual({ limit: 5, pending: 0 });
    expect(v.rate.video_init).toEqual({ limit: 6, used: 0, resetsAt: null });
    expect(Object.keys(v.rate).sort()).toEqual(['creator_info', 'inbox_init', 'status', 'video_init']);
  });

  it('counts reserved and accepted Direct Posts of the last 24 h and pending drafts', () => {
    const events = [
      ...reservedConsumed('old', T0, 'direct', true),
      ...reservedConsumed('a', T0 + 1000, 'direct', true),
      ...reservedConsumed('b', T0 + 2000, 'direct', false),
      ...reservedConsumed('d', T0 + 3000, 'draft', true),
    ];
    const v = quotaView(stateOf(events), { status: { grants: [T0 + DAY_MS] } }, new Date(T0 + DAY_MS + 500), DEFAULT_POLICY);
    expect(v.daily).toEqual({ limit: 15, used: 2, remaining: 13, resetsAt: iso(T0 + 1000 + DAY_MS) });
    expect(v.drafts.pending).toBe(1);
    expect(v.rate.status).toEqual({ limit: 30, used: 1, resetsAt: iso(T0 + DAY_MS + RATE_WINDOW_MS) });
  });

  it('shows 0 remaining until the exhaustion window rolls', () => {
    const state = { ...stateOf(reservedConsumed('a', T0, 'direct', true)), dailyExhaustedUntil: T0 + 2 * DAY_MS };
    const v = quotaView(state, {}, new Date(T0 + DAY_MS - 1), DEFAULT_POLICY);
    expect(v.daily).toEqual({ limit: 15, used: 1, remaining: 0, resetsAt: iso(T0 + 2 * DAY_MS) });
  });
});
