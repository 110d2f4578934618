import { describe, expect, it } from 'vitest';
import { formatGatewayBench, runGatewayBench } from './gateway.bench.ts';

describe('runGatewayBench (smoke, short run)', () => {
  it('measures both targets without errors and reports the ratio', async () => {
    const r = await runGatewayBench({ durationMs: 300, warmupMs: 50, concurrency: 4 });
    expect(r.hello.requests).toBeGreaterThan(0);
    expect(r.shareView.requests).toBeGreaterThan(0);
    expect(r.shareView.errors).toBe(0);
    expect(r.ratio).toBeCloseTo(r.shareView.rps / r.hello.rps);
    expect(formatGatewayBench(r)).toContain('GET share view');
  });
});
