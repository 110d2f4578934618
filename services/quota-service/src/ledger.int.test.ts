/**
 * The creator ledger against real PostgreSQL and NATS, with two service instances on one schema.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '@tiktok-share/platform/errors.ts';
import { DAY_MS, DEFAULT_POLICY, RESERVATION_TTL_MS } from './domain/creator-quota.ts';
import { reserveQuota } from './application/reserve-quota.ts';
import { releaseQuota } from './application/release-quota.ts';
import { quotaStatus } from './application/quota-status.ts';
import { MIN, quotaFixture, T0, type QuotaFixture } from './quota.fixture.ts';

let f: QuotaFixture;
afterEach(async () => f.cleanup());

function reserve(service: 'a' | 'b', shareId: string, openId = 'creator-1', mode: 'direct' | 'draft' = 'direct') {
  return reserveQuota(f[service].context, { shareId, accountId: `acc-${openId}`, openId, mode });
}

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'granted';
  } catch (err) {
    if (isAppError(err)) return err.code;
    throw err;
  }
}

describe('daily cap across two instances', () => {
  beforeEach(async () => {
    f = await quotaFixture();
  });

  it('instances read only the tail after their own fold, and still count what the other instance appended', async () => {
    const reads: Array<{ service: string; fromVersion: number | undefined }> = [];
    for (const name of ['a', 'b'] as const) {
      const store = f[name].context.store;
      const readStream = store.readStream.bind(store);
      store.readStream = (streamId, opts) => {
        if (streamId === 'creator-creator-t') reads.push({ service: name, fromVersion: opts?.fromVersion });
        return readStream(streamId, opts);
      };
    }
    for (let i = 0; i < 4; i++) await reserve('a', `tail-a-${i}`, 'creator-t');
    await reserve('b', 'tail-b-0', 'creator-t');
    await reserve('b', 'tail-b-1', 'creator-t');
    const fifth = await reserveQuota(f.a.context, { shareId: 'tail-a-4', accountId: 'acc-creator-t', openId: 'creator-t', mode: 'direct' });
    expect(fifth.used).toBe(7); // a's fold (4) + b's two + this one
    // Each read starts after the fold of that instance's previous read (so it sees its own last
    // append and anything else since); b's first read is from the start.
    expect(reads.map((r) => `${r.service}${r.fromVersion}`)).toEqual(['a1', 'a1', 'a2', 'a3', 'b1', 'b5', 'a4']);
  });

  it('grants exactly 15 of 50 concurrent reservations for one creator', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => outcome(reserve(i % 2 === 0 ? 'a' : 'b', `share-${i}`))));
    expect(results.filter((r) => r === 'granted')).toHaveLength(15);
    expect(results.filter((r) => r === 'daily_limit_reached')).toHaveLength(35);
    const view = await quotaStatus(f.a.context, { openId: 'creator-1' });
    expect(view.daily).toMatchObject({ limit: 15, used: 15, remaining: 0 });
    const events = await f.a.context.store.readStream('creator-creator-1');
    expect(events.filter((e) => e.type === 'QuotaReserved')).toHaveLength(15);
    expect(events.filter((e) => e.type === 'QuotaRejected')).toHaveLength(35);
  });

  it('rejects with 429, retryAt and usage; the window rolls after 24 h', async () => {
    for (let i = 0; i < 15; i++) await reserve('a', `s${i}`);
    f.clock.advance(MIN);
    const err = await reserve('b', 'late').catch((e: unknown) => e);
    expect(isAppError(err) && err.status).toBe(429);
    expect(isAppError(err) && err.extra).toMatchObject({ retryAt: new Date(T0 + DAY_MS).toISOString(), limit: 15, used: 15 });
    f.clock.advance(DAY_MS);
    // Still reserved (never consumed, never swept) → still counted: the sweeper frees them, not time.
    expect(await outcome(reserve('b', 'late'))).toBe('daily_limit_reached');
    await f.a.sweep();
    expect(await outcome(reserve('b', 'late'))).toBe('granted');
  });

  it('release returns a slot; a repeated reserve of a live share is idempotent', async () => {
    const first = await reserve('a', 's0');
    for (let i = 1; i < 15; i++) await reserve('a', `s${i}`);
    expect(await reserve('b', 's0')).toMatchObject({ reservationId: first.reservationId, used: 15 });
    expect(await outcome(reserve('b', 'x'))).toBe('daily_limit_reached');
    await releaseQuota(f.b.context, { shareId: 's3', reason: 'publish_failed' });
    await releaseQuota(f.a.context, { shareId: 's3', reason: 'publish_failed' });
    expect(await outcome(reserve('a', 'x'))).toBe('granted');
    expect(await outcome(reserve('a', 'y'))).toBe('daily_limit_reached');
  });

  it('expiry returns slots unused for 10 minutes, not younger ones', async () => {
    for (let i = 0; i < 10; i++) await reserve('a', `old${i}`);
    f.clock.advance(5 * MIN);
    for (let i = 0; i < 5; i++) await reserve('b', `new${i}`);
    f.clock.advance(RESERVATION_TTL_MS - 5 * MIN);
    const [ra, rb] = await Promise.all([f.a.sweep(), f.b.sweep()]);
    expect(ra + rb).toBe(10);
    const view = await quotaStatus(f.a.context, { openId: 'creator-1' });
    expect(view.daily).toMatchObject({ used: 5, remaining: 10 });
    const released = (await f.a.context.store.readStream('creator-creator-1')).filter((e) => e.type === 'QuotaReleased');
    expect(released.map((e) => (e.data as { reason: string }).reason)).toEqual(Array(10).fill('expired'));
  });

  it('keeps pending drafts at 5 per creator', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => outcome(reserve(i % 2 ? 'a' : 'b', `d${i}`, 'creator-1', 'draft'))));
    expect(results.filter((r) => r === 'granted')).toHaveLength(5);
    expect(results.filter((r) => r === 'pending_drafts_limit_reached')).toHaveLength(3);
    expect((await quotaStatus(f.b.context, { openId: 'creator-1' })).drafts).toEqual({ limit: 5, pending: 5 });
  });
});

describe('unaudited app', () => {
  beforeEach(async () => {
    f = await quotaFixture({ policy: { ...DEFAULT_POLICY, appAudited: false } });
  });

  it('lets at most 5 distinct creators post per 24 h, exactly, across instances', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => outcome(reserve(i % 2 ? 'a' : 'b', `s${i}`, `c${i}`))));
    expect(results.filter((r) => r === 'granted')).toHaveLength(5);
    expect(results.filter((r) => r === 'unaudited_app_creator_cap')).toHaveLength(3);
    const err = await reserve('a', 'again', 'c-new').catch((e: unknown) => e);
    expect(isAppError(err) && [err.status, err.code]).toEqual([422, 'unaudited_app_creator_cap']);
    f.clock.advance(DAY_MS + 1);
    expect(await outcome(reserve('a', 'again', 'c-new'))).toBe('granted');
  });
});
