/** GET /metrics: the gateway's registry merged with every service's text fetched over the bus. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './testing/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ metricsTimeoutMs: 200 });
});
afterEach(() => h.close());

const lines = async () => {
  const res = await h.app.request('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return (await res.text()).split('\n');
};

describe('GET /metrics', () => {
  it("merges every service's metrics under one family each, with the gateway's own, and scrape_up 1", async () => {
    await h.app.request('/healthz');
    const text = await lines();
    expect(text.filter((l) => l.startsWith('# TYPE tiktok_api_calls_total '))).toHaveLength(1);
    const type = text.indexOf('# TYPE tiktok_api_calls_total counter');
    expect(text.slice(type + 1, type + 4)).toEqual([
      'tiktok_api_calls_total{service="auth",endpoint="token",outcome="ok"} 1',
      'tiktok_api_calls_total{service="quota",endpoint="token",outcome="ok"} 1',
      'tiktok_api_calls_total{service="publisher",endpoint="token",outcome="ok"} 1',
    ]);
    expect(text).toContain('gateway_http_requests_total{method="GET",route="/healthz",status="200"} 1');
    expect(text.some((l) => l.startsWith('process_cpu_user_seconds_total'))).toBe(true);
    for (const s of ['auth', 'quota', 'publisher']) expect(text).toContain(`tiktok_share_metrics_scrape_up{service="${s}"} 1`);
  });

  it('reports a service that fails or does not answer in time as scrape_up 0, still 200 with the others', async () => {
    h.state.metrics.quota.down = 'hang';
    h.state.metrics.publisher.down = 'error';
    const started = performance.now();
    const text = await lines();
    expect(performance.now() - started).toBeLessThan(900);
    expect(text).toContain('tiktok_share_metrics_scrape_up{service="auth"} 1');
    expect(text).toContain('tiktok_share_metrics_scrape_up{service="quota"} 0');
    expect(text).toContain('tiktok_share_metrics_scrape_up{service="publisher"} 0');
    expect(text).toContain('tiktok_api_calls_total{service="auth",endpoint="token",outcome="ok"} 1');
    expect(text.some((l) => l.includes('service="quota",endpoint'))).toBe(false);
    expect(text.some((l) => l.startsWith('gateway_http_requests_total') || l.startsWith('process_cpu_user_seconds_total'))).toBe(true);
  });
});
