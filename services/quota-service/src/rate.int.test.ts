/**
 * Rate windows shared by two instances on real PostgreSQL, with a fake clock: callers that are told
 * to wait advance the clock (time only moves while no acquisition is in flight, so every grant is
 * stamped with the clock value it was decided at).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireRateSlot } from './application/acquire-rate.ts';
import { quotaStatus } from './application/quota-status.ts';
import type { QuotaService } from './app.ts';
import { quotaFixture, type QuotaFixture } from './quota.fixture.ts';

let f: QuotaFixture;
beforeEach(async () => {
  f = await quotaFixture();
});
afterEach(async () => f.cleanup());

describe('per-token rate windows across instances', () => {
  it('100 video_init acquisitions from two callers: never more than 6 in any 60 s span', async () => {
    let inFlight = 0;
    const grants: number[] = [];
    const caller = async (service: QuotaService, n: number) => {
      let mine = 0;
      while (mine < n) {
        inFlight++;
        const at = f.clock.ms;
        const r = await acquireRateSlot(service.context, { tokenKey: 'tk-1', openId: 'creator-1', endpoint: 'video_init' }).finally(() => inFlight--);
        if (r.granted) {
          grants.push(at);
          mine++;
          continue;
        }
        expect(r.waitMs).toBeGreaterThan(0);
        while (inFlight > 0) await new Promise((resolve) => setImmediate(resolve));
        f.clock.ms = Math.max(f.clock.ms, at + r.waitMs);
      }
    };
    await Promise.all([caller(f.a, 50), caller(f.b, 50)]);
    grants.sort((x, y) => x - y);
    expect(grants).toHaveLength(100);
    // 7 grants always span at least the 61 s window (60 s + the 1 s safety margin).
    for (let i = 0; i + 6 < grants.length; i++) expect((grants[i + 6] as number) - (grants[i] as number)).toBeGreaterThanOrEqual(61_000);
  });

  it('30 acquisitions racing at one instant on two instances: exactly 6 granted, the others told to wait', async () => {
    const calls = Array.from({ length: 30 }, (_, i) =>
      acquireRateSlot((i % 2 ? f.a : f.b).context, { tokenKey: 'tk-race', openId: 'creator-race', endpoint: 'video_init' }));
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.granted)).toHaveLength(6);
    for (const r of results) if (!r.granted) expect(r.waitMs).toBeGreaterThan(0);
  });

  it('windows are per endpoint and per creator, and show in the quota view', async () => {
    const ctx = f.a.context;
    for (let i = 0; i < 6; i++) expect(await acquireRateSlot(ctx, { tokenKey: 'tk', openId: 'c1', endpoint: 'inbox_init' })).toEqual({ granted: true });
    expect(await acquireRateSlot(f.b.context, { tokenKey: 'tk', openId: 'c1', endpoint: 'inbox_init' })).toEqual({ granted: false, waitMs: 61_000 });
    expect(await acquireRateSlot(ctx, { tokenKey: 'tk', openId: 'c1', endpoint: 'status' })).toEqual({ granted: true });
    expect(await acquireRateSlot(ctx, { tokenKey: 'tk2', openId: 'c2', endpoint: 'inbox_init' })).toEqual({ granted: true });
    const view = await quotaStatus(ctx, { openId: 'c1' });
    expect(view.rate.inbox_init).toEqual({ limit: 6, used: 6, resetsAt: new Date(f.clock.ms + 61_000).toISOString() });
    expect(view.rate.status).toMatchObject({ limit: 30, used: 1 });
    expect(view.rate.creator_info).toEqual({ limit: 20, used: 0, resetsAt: null });
  });

  it('without openId the window is keyed by tokenKey', async () => {
    for (let i = 0; i < 20; i++) await acquireRateSlot(f.a.context, { tokenKey: 'tk-x', endpoint: 'creator_info' });
    expect(await acquireRateSlot(f.b.context, { tokenKey: 'tk-x', endpoint: 'creator_info' })).toMatchObject({ granted: false });
    expect(await acquireRateSlot(f.b.context, { tokenKey: 'tk-y', endpoint: 'creator_info' })).toEqual({ granted: true });
  });
});
