import { describe, expect, it } from 'vitest';
import { DAY_MS, DEFAULT_POLICY, initialCreatorQuotaState, type QuotaPolicy } from './creator-quota.ts';
import type { ReserveQuota } from './creator-quota.decide.ts';
import { evolvePostingCreators, initialPostingCreatorsState, type PostingCreatorsEvent } from './posting-creators.ts';
import { decideReservation, needsPostingCreators } from './reservation.decide.ts';

const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const UNAUDITED: QuotaPolicy = { ...DEFAULT_POLICY, appAudited: false };
const iso = (ms: number) => new Date(ms).toISOString();

function cmd(openId: string, at: number, mode: 'direct' | 'draft' = 'direct'): ReserveQuota {
  return { type: 'ReserveQuota', data: { shareId: `s-${openId}`, accountId: 'acc', openId, mode }, metadata: { at: new Date(at), reservationId: 'r1' } };
}

function admitted(...entries: [string, number][]) {
  const events: PostingCreatorsEvent[] = entries.map(([openId, at]) => ({ type: 'PostingCreatorAdmitted', data: { openId, admittedAt: iso(at) } }));
  return events.reduce(evolvePostingCreators, initialPostingCreatorsState());
}

const five = admitted(['c1', T0], ['c2', T0 + 1000], ['c3', T0 + 2000], ['c4', T0 + 3000], ['c5', T0 + 4000]);

describe('decideReservation — unaudited app: ≤ 5 posting creators per 24 h', () => {
  it('admits a new creator while fewer than 5 post', () => {
    const d = decideReservation(cmd('c9', T0), initialCreatorQuotaState(), admitted(['c1', T0]), UNAUDITED);
    expect(d.creatorEvents).toMatchObject([{ type: 'QuotaReserved' }]);
    expect(d.appEvents).toEqual([{ type: 'PostingCreatorAdmitted', data: { openId: 'c9', admittedAt: iso(T0) } }]);
  });

  it('lets an admitted creator post again without touching the app stream', () => {
    const d = decideReservation(cmd('c3', T0 + 5000), initialCreatorQuotaState(), five, UNAUDITED);
    expect(d.creatorEvents).toMatchObject([{ type: 'QuotaReserved' }]);
    expect(d.appEvents).toEqual([]);
  });

  it('rejects a 6th creator with unaudited_app_creator_cap and when a place frees', () => {
    const d = decideReservation(cmd('c6', T0 + 5000), initialCreatorQuotaState(), five, UNAUDITED);
    expect(d.appEvents).toEqual([]);
    expect(d.creatorEvents).toMatchObject([
      { type: 'QuotaRejected', data: { code: 'unaudited_app_creator_cap', limit: 5, used: 5, retryAt: iso(T0 + DAY_MS) } },
    ]);
  });

  it('admits a new creator once the oldest admission is 24 h old', () => {
    const d = decideReservation(cmd('c6', T0 + DAY_MS + 1), initialCreatorQuotaState(), five, UNAUDITED);
    expect(d.creatorEvents).toMatchObject([{ type: 'QuotaReserved' }]);
    expect(d.appEvents).toHaveLength(1);
  });

  it('does not apply to drafts nor to audited apps', () => {
    expect(decideReservation(cmd('c6', T0, 'draft'), initialCreatorQuotaState(), five, UNAUDITED).creatorEvents).toMatchObject([{ type: 'QuotaReserved' }]);
    expect(decideReservation(cmd('c6', T0), initialCreatorQuotaState(), five, DEFAULT_POLICY).creatorEvents).toMatchObject([{ type: 'QuotaReserved' }]);
    expect(needsPostingCreators(cmd('c6', T0, 'draft'), UNAUDITED)).toBe(false);
    expect(needsPostingCreators(cmd('c6', T0), UNAUDITED)).toBe(true);
  });

  it('a creator rejected by their own cap does not take an app place', () => {
    const exhausted = { ...initialCreatorQuotaState(), dailyExhaustedUntil: T0 + DAY_MS };
    const d = decideReservation(cmd('c9', T0), exhausted, initialPostingCreatorsState(), UNAUDITED);
    expect(d.creatorEvents).toMatchObject([{ type: 'QuotaRejected', data: { code: 'daily_limit_reached' } }]);
    expect(d.appEvents).toEqual([]);
  });
});
