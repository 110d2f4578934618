import { describe, expect, it } from 'vitest';
import { DAY_MS, DEFAULT_POLICY, RESERVATION_TTL_MS, type CreatorQuotaEvent, type ShareMode } from './creator-quota.ts';
import type { ReserveQuota } from './creator-quota.decide.ts';
import { given, stateOf } from './spec.ts';

const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function reserveCmd(shareId: string, at: number, mode: ShareMode = 'direct'): ReserveQuota {
  return {
    type: 'ReserveQuota',
    data: { shareId, accountId: 'acc-1', openId: 'open-1', mode },
    metadata: { at: new Date(at), reservationId: `r-${shareId}` },
  };
}

function reserved(shareId: string, at: number, mode: ShareMode = 'direct', used = 1): CreatorQuotaEvent {
  return {
    type: 'QuotaReserved',
    data: {
      reservationId: `r-${shareId}`,
      shareId,
      accountId: 'acc-1',
      openId: 'open-1',
      mode,
      kind: mode === 'direct' ? 'daily_post' : 'pending_draft',
      limit: mode === 'direct' ? 15 : 5,
      used,
      windowStartsAt: iso(at - DAY_MS),
      reservedAt: iso(at),
      expiresAt: iso(at + RESERVATION_TTL_MS),
    },
  };
}

function consumed(shareId: string, at: number, mode: ShareMode = 'direct', late = false): CreatorQuotaEvent {
  return {
    type: 'ReservationConsumed',
    data: { reservationId: `r-${shareId}`, shareId, openId: 'open-1', mode, publishId: `p-${shareId}`, consumedAt: iso(at), late },
  };
}

function released(shareId: string, at: number, reason: string, mode: ShareMode = 'direct'): CreatorQuotaEvent {
  const kind = mode === 'direct' ? 'daily_post' : 'pending_draft';
  return { type: 'QuotaReleased', data: { reservationId: `r-${shareId}`, shareId, openId: 'open-1', mode, kind, reason, releasedAt: iso(at) } };
}

/** n Direct Posts reserved and consumed one minute apart from `start`. */
function posts(n: number, start: number, mode: ShareMode = 'direct'): CreatorQuotaEvent[] {
  return Array.from({ length: n }, (_, i) => [reserved(`s${i}`, start + i * MIN, mode, i + 1), consumed(`s${i}`, start + i * MIN, mode)]).flat();
}

describe('ReserveQuota — daily Direct Post cap', () => {
  it('reserves a slot when the creator has room', () => {
    given([]).when(reserveCmd('a', T0)).then([reserved('a', T0)]);
  });

  it('reports usage including the new reservation', () => {
    given(posts(3, T0)).when(reserveCmd('x', T0 + 10 * MIN)).then([reserved('x', T0 + 10 * MIN, 'direct', 4)]);
  });

  it('rejects the 16th post in 24 h with the time the oldest slot rolls out', () => {
    given(posts(15, T0))
      .when(reserveCmd('x', T0 + 60 * MIN))
      .then([
        {
          type: 'QuotaRejected',
          data: {
            shareId: 'x',
            accountId: 'acc-1',
            openId: 'open-1',
            mode: 'direct',
            kind: 'daily_post',
            code: 'daily_limit_reached',
            limit: 15,
            used: 15,
            windowStartsAt: iso(T0 + 60 * MIN - DAY_MS),
            retryAt: iso(T0 + DAY_MS),
            rejectedAt: iso(T0 + 60 * MIN),
          },
        },
      ]);
  });

  it('counts unconsumed reservations too (in-flight shares hold their slot)', () => {
    const events = Array.from({ length: 15 }, (_, i) => reserved(`s${i}`, T0 + i, 'direct', i + 1));
    given(events).when(reserveCmd('x', T0 + MIN)).thenMatch([{ type: 'QuotaRejected', data: { code: 'daily_limit_reached' } }]);
  });

  it('rolls the window 24 h after TikTok accepted the init', () => {
    given(posts(15, T0)).when(reserveCmd('x', T0 + DAY_MS + 1)).thenMatch([{ type: 'QuotaReserved', data: { used: 15 } }]);
    given(posts(15, T0)).when(reserveCmd('x', T0 + DAY_MS - 1)).thenMatch([{ type: 'QuotaRejected' }]);
  });

  it('a slot counts from consumption, not from reservation', () => {
    const events = [reserved('late', T0), consumed('late', T0 + 5 * MIN)];
    given(events, { ...DEFAULT_POLICY, dailyPostLimit: 1 }).when(reserveCmd('x', T0 + DAY_MS + 1)).thenMatch([{ type: 'QuotaRejected', data: { retryAt: iso(T0 + 5 * MIN + DAY_MS) } }]);
  });

  it('a released reservation returns its slot', () => {
    const events = [...posts(14, T0), reserved('f', T0 + 20 * MIN, 'direct', 15), released('f', T0 + 21 * MIN, 'share_failed')];
    given(events).when(reserveCmd('x', T0 + 22 * MIN)).thenMatch([{ type: 'QuotaReserved', data: { used: 15 } }]);
  });

  it('is idempotent per share while the reservation lives or was consumed', () => {
    given([reserved('a', T0)]).when(reserveCmd('a', T0 + MIN)).then([]);
    given([reserved('a', T0), consumed('a', T0 + MIN)]).when(reserveCmd('a', T0 + 2 * MIN)).then([]);
  });

  it('reserves again for a share whose reservation was released', () => {
    given([reserved('a', T0), released('a', T0 + MIN, 'expired')])
      .when(reserveCmd('a', T0 + 2 * MIN))
      .then([reserved('a', T0 + 2 * MIN)]);
  });

  it('honours TIKTOK_DAILY_POST_LIMIT', () => {
    const policy = { ...DEFAULT_POLICY, dailyPostLimit: 2 };
    given(posts(2, T0), policy).when(reserveCmd('x', T0 + MIN)).thenMatch([{ type: 'QuotaRejected', data: { limit: 2, used: 2 } }]);
  });
});

describe('ReserveQuota — pending inbox drafts', () => {
  it('reserves a draft when fewer than 5 are pending', () => {
    given(posts(4, T0, 'draft')).when(reserveCmd('d', T0 + 10 * MIN, 'draft')).then([reserved('d', T0 + 10 * MIN, 'draft', 5)]);
  });

  it('rejects a 6th draft in 24 h', () => {
    given(posts(5, T0, 'draft'))
      .when(reserveCmd('d', T0 + 10 * MIN, 'draft'))
      .thenMatch([{ type: 'QuotaRejected', data: { code: 'pending_drafts_limit_reached', limit: 5, used: 5, retryAt: iso(T0 + DAY_MS) } }]);
  });

  it('drafts and Direct Posts have separate budgets', () => {
    given(posts(5, T0, 'draft')).when(reserveCmd('x', T0 + 10 * MIN)).thenMatch([{ type: 'QuotaReserved', data: { used: 1 } }]);
    given(posts(15, T0)).when(reserveCmd('d', T0 + 10 * MIN, 'draft')).thenMatch([{ type: 'QuotaReserved', data: { used: 1 } }]);
  });

  it('a draft that reached the inbox stays pending after a later failure', () => {
    const events = [...posts(5, T0, 'draft')];
    given(events).when({ type: 'ReleaseReservation', data: { shareId: 's0', openId: 'open-1', reason: 'share_failed' }, metadata: { at: new Date(T0 + 9 * MIN) } }).then([]);
  });
});

describe('ConsumeReservation', () => {
  it('consumes a live reservation', () => {
    given([reserved('a', T0)])
      .when({ type: 'ConsumeReservation', data: { shareId: 'a', openId: 'open-1', publishId: 'p-a' }, metadata: { at: new Date(T0 + MIN) } })
      .then([consumed('a', T0 + MIN)]);
  });

  it('still counts an init TikTok accepted after the reservation expired', () => {
    given([reserved('a', T0), released('a', T0 + 11 * MIN, 'expired')])
      .when({ type: 'ConsumeReservation', data: { shareId: 'a', openId: 'open-1', publishId: 'p-a' }, metadata: { at: new Date(T0 + 12 * MIN) } })
      .then([consumed('a', T0 + 12 * MIN, 'direct', true)]);
  });

  it('ignores an unknown share and a repeated consumption', () => {
    given([]).when({ type: 'ConsumeReservation', data: { shareId: 'zz', openId: 'open-1', publishId: null }, metadata: { at: new Date(T0) } }).then([]);
    given([reserved('a', T0), consumed('a', T0)])
      .when({ type: 'ConsumeReservation', data: { shareId: 'a', openId: 'open-1', publishId: 'p-a' }, metadata: { at: new Date(T0 + MIN) } })
      .then([]);
  });
});

describe('ReleaseReservation', () => {
  const release = (shareId: string, at: number) =>
    ({ type: 'ReleaseReservation', data: { shareId, openId: 'open-1', reason: 'share_failed' }, metadata: { at: new Date(at) } }) as const;

  it('releases a live reservation', () => {
    given([reserved('a', T0)]).when(release('a', T0 + MIN)).then([released('a', T0 + MIN, 'share_failed')]);
  });

  it('never releases a consumed reservation (TikTok counted it)', () => {
    given([reserved('a', T0), consumed('a', T0)]).when(release('a', T0 + MIN)).then([]);
  });

  it('is a no-op for unknown or already released shares', () => {
    given([]).when(release('a', T0)).then([]);
    given([reserved('a', T0), released('a', T0, 'x')]).when(release('a', T0 + MIN)).then([]);
  });
});

describe('ExpireReservation', () => {
  const expire = (shareId: string, at: number) =>
    ({ type: 'ExpireReservation', data: { shareId, openId: 'open-1' }, metadata: { at: new Date(at) } }) as const;

  it('releases a reservation unused for 10 minutes', () => {
    given([reserved('a', T0)]).when(expire('a', T0 + RESERVATION_TTL_MS)).then([released('a', T0 + RESERVATION_TTL_MS, 'expired')]);
  });

  it('keeps a reservation younger than 10 minutes', () => {
    given([reserved('a', T0)]).when(expire('a', T0 + RESERVATION_TTL_MS - 1)).then([]);
  });

  it('keeps a consumed reservation', () => {
    given([reserved('a', T0), consumed('a', T0 + MIN)]).when(expire('a', T0 + DAY_MS)).then([]);
  });

  it('an expired slot is free again', () => {
    const events = [...posts(14, T0), reserved('e', T0, 'direct', 15), released('e', T0 + RESERVATION_TTL_MS, 'expired')];
    given(events).when(reserveCmd('x', T0 + RESERVATION_TTL_MS + 1)).thenMatch([{ type: 'QuotaReserved', data: { used: 15 } }]);
  });
});

describe('RecordExhaustion — other apps spent the budget', () => {
  const exhaust = (code: 'spam_risk_too_many_posts' | 'spam_risk_too_many_pending_share', at: number) =>
    ({ type: 'RecordExhaustion', data: { openId: 'open-1', code }, metadata: { at: new Date(at) } }) as const;

  it('marks the daily budget exhausted for 24 h', () => {
    given([])
      .when(exhaust('spam_risk_too_many_posts', T0))
      .then([
        { type: 'CreatorExhausted', data: { openId: 'open-1', kind: 'daily', code: 'spam_risk_too_many_posts', at: iso(T0), until: iso(T0 + DAY_MS) } },
      ]);
  });

  it('marks drafts exhausted on spam_risk_too_many_pending_share', () => {
    given([]).when(exhaust('spam_risk_too_many_pending_share', T0)).thenMatch([{ type: 'CreatorExhausted', data: { kind: 'drafts' } }]);
  });

  it('rejects Direct Posts until the window rolls although the ledger has room', () => {
    const events = [...posts(2, T0)];
    const exhaustedAt = T0 + 30 * MIN;
    const withExhaustion = [...events, ...given(events).when(exhaust('spam_risk_too_many_posts', exhaustedAt)).produced];
    given(withExhaustion)
      .when(reserveCmd('x', exhaustedAt + MIN))
      .thenMatch([{ type: 'QuotaRejected', data: { code: 'daily_limit_reached', used: 2, retryAt: iso(exhaustedAt + DAY_MS) } }]);
    given(withExhaustion).when(reserveCmd('x', exhaustedAt + DAY_MS)).thenMatch([{ type: 'QuotaReserved' }]);
    given(withExhaustion).when(reserveCmd('d', exhaustedAt + MIN, 'draft')).thenMatch([{ type: 'QuotaReserved' }]);
  });

  it('rejects drafts while drafts are exhausted', () => {
    const ev = given([]).when(exhaust('spam_risk_too_many_pending_share', T0)).produced;
    given(ev).when(reserveCmd('d', T0 + MIN, 'draft')).thenMatch([{ type: 'QuotaRejected', data: { code: 'pending_drafts_limit_reached' } }]);
  });

  it('does not shorten an exhaustion already recorded', () => {
    const ev = given([]).when(exhaust('spam_risk_too_many_posts', T0 + MIN)).produced;
    given(ev).when(exhaust('spam_risk_too_many_posts', T0)).then([]);
  });
});

describe('evolve', () => {
  it('prunes entries that ended more than a day ago', () => {
    const state = stateOf([...posts(3, T0), reserved('new', T0 + 2 * DAY_MS)]);
    expect([...state.reservations.keys()]).toEqual(['new']);
  });
});
