import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkPlanError, MAX_VIDEO_SIZE, planChunks, type ChunkPlan } from './chunk-plan.ts';

/** The documented rules, written independently of the planner. */
function assertPlanFollowsRules(size: number, plan: ChunkPlan): void {
  expect(plan.videoSize).toBe(size);
  expect(plan.totalChunks).toBe(Math.floor(size / plan.chunkSize));
  expect(plan.totalChunks).toBeGreaterThanOrEqual(1);
  expect(plan.totalChunks).toBeLessThanOrEqual(1000);
  expect(plan.chunks).toHaveLength(plan.totalChunks);
  if (size < 5_000_000) {
    expect(plan.chunkSize).toBe(size);
  } else {
    expect(plan.chunkSize).toBeGreaterThanOrEqual(5_000_000);
    expect(plan.chunkSize).toBeLessThanOrEqual(64_000_000);
  }
  if (plan.totalChunks === 1) expect(plan.chunkSize).toBe(size);
  // Plain comparisons in the loop: a 4 GB plan has up to ~860 chunks and expect() is slow.
  let next = 0;
  let broken = '';
  plan.chunks.forEach((c, i) => {
    const last = i === plan.totalChunks - 1;
    if (c.index !== i || c.start !== next || c.length !== c.end - c.start + 1) broken ||= `chunk ${i} not contiguous`;
    if (!last && c.length !== plan.chunkSize) broken ||= `chunk ${i} is not chunkSize`;
    if (last && c.length > 128_000_000) broken ||= 'final chunk over 128,000,000';
    next = c.end + 1;
  });
  expect(broken).toBe('');
  expect(next).toBe(size);
}

describe('planChunks', () => {
  it('follows the documented rules for every size from 1 byte to 4 GB and any preferred chunk', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_VIDEO_SIZE }), fc.integer({ min: 1, max: 200_000_000 }), (size, preferred) => {
        assertPlanFollowsRules(size, planChunks(size, preferred));
      }),
      { numRuns: 2000 },
    );
  });

  it('follows the rules around every boundary', () => {
    const edges = [1, 4_999_999, 5_000_000, 5_000_001, 9_999_999, 10_000_000, 19_999_999, 20_000_000, 63_999_999, 64_000_000, 64_000_001,
      67_108_864, 127_999_999, 128_000_000, 128_000_001, MAX_VIDEO_SIZE - 1, MAX_VIDEO_SIZE];
    for (const size of edges) for (const preferred of [5_000_000, 10_000_000, 64_000_000, 67_108_864]) assertPlanFollowsRules(size, planChunks(size, preferred));
  });

  it('matches the official worked example', () => {
    const plan = planChunks(50_000_123, 10_000_000);
    expect(plan.chunkSize).toBe(10_000_000);
    expect(plan.totalChunks).toBe(5);
    expect(plan.chunks[4]).toEqual({ index: 4, start: 40_000_000, end: 50_000_122, length: 10_000_123 });
  });

  it('sends a 15 MB file with 10 MB chunks as one whole chunk (the floor/ceil trap)', () => {
    const plan = planChunks(15_000_000, 10_000_000);
    expect(plan).toMatchObject({ chunkSize: 15_000_000, totalChunks: 1 });
  });

  it('rejects size 0, negatives, fractions and sizes over 4 GB', () => {
    for (const bad of [0, -1, 1.5, MAX_VIDEO_SIZE + 1, Number.NaN]) {
      expect(() => planChunks(bad)).toThrow(ChunkPlanError);
    }
  });
});
