import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { acquireRate, RATE_LIMITS, RATE_WINDOW_MS, rateUsage, type RateWindowState } from './rate-window.ts';

const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);

function grantN(n: number, step = 0): RateWindowState {
  let state: RateWindowState = { grants: [] };
  for (let i = 0; i < n; i++) {
    const v = acquireRate(state, at(i * step), 6);
    if (!v.granted) throw new Error('unexpected wait');
    state = v.state;
  }
  return state;
}

describe('acquireRate — sliding 61 s window', () => {
  it('grants while fewer than the limit are in the window', () => {
    const v = acquireRate(grantN(5), at(1000), RATE_LIMITS.video_init);
    expect(v.granted).toBe(true);
    expect(v.state.grants).toHaveLength(6);
  });

  it('answers wait for the 7th init and says how long', () => {
    const v = acquireRate(grantN(6, 1000), at(10_000), RATE_LIMITS.video_init);
    expect(v).toMatchObject({ granted: false, waitMs: RATE_WINDOW_MS - 10_000 });
  });

  it('keeps a one-second margin: 60 s later is still too early', () => {
    expect(acquireRate(grantN(6), at(60_000), 6).granted).toBe(false);
    expect(acquireRate(grantN(6), at(RATE_WINDOW_MS), 6).granted).toBe(true);
  });

  it('a lagging clock cannot grant into the past', () => {
    const state = { grants: [T0 + 100_000] };
    const v = acquireRate(state, at(0), 1);
    expect(v).toMatchObject({ granted: false, waitMs: 100_000 + RATE_WINDOW_MS });
    const ok = acquireRate({ grants: [T0 + 100_000] }, at(0), 2);
    expect(ok.granted && ok.state.grants).toEqual([T0 + 100_000, T0 + 100_000]);
  });

  it('never more than `limit` grants in any 60 s span (callers wait as told)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 30, maxLength: 120 }), fc.integer({ min: 1, max: 30 }), (gaps, limit) => {
        let state: RateWindowState = { grants: [] };
        const granted: number[] = [];
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          const v = acquireRate(state, at(now), limit);
          state = v.state;
          if (v.granted) granted.push(now);
          else now += v.waitMs;
        }
        for (const start of granted) expect(granted.filter((t) => t >= start && t < start + 60_000).length).toBeLessThanOrEqual(limit);
      }),
    );
  });

  it('waiting exactly waitMs is enough', () => {
    const state = grantN(6, 700);
    const v = acquireRate(state, at(5000), 6);
    if (v.granted) throw new Error('expected a wait');
    expect(acquireRate(state, at(5000 + v.waitMs), 6).granted).toBe(true);
    expect(acquireRate(state, at(5000 + v.waitMs - 1), 6).granted).toBe(false);
  });
});

describe('rateUsage', () => {
  it('counts grants inside the window and when the oldest leaves', () => {
    expect(rateUsage(grantN(3, 1000), at(2000))).toEqual({ used: 3, resetsAt: T0 + RATE_WINDOW_MS });
    expect(rateUsage(grantN(3, 1000), at(RATE_WINDOW_MS + 1000))).toEqual({ used: 1, resetsAt: T0 + 2000 + RATE_WINDOW_MS });
    expect(rateUsage({ grants: [] }, at(0))).toEqual({ used: 0, resetsAt: null });
  });
});
