import { describe, expect, it } from 'vitest';
import { Registry, createMetrics, metricsText } from './metrics.ts';

describe('metrics', () => {
  it('records the common metrics with a service label', async () => {
    const m = createMetrics({ service: 'publisher' });
    m.observeHttp('GET', '/api/v1/tiktok/shares/:shareId', 200, 0.012);
    m.countTikTokCall('video_init', 'ok');
    m.countTikTokCall('video_init', 'ok');
    m.countTikTokCall('status', 'rate_limited');
    m.addBytesUploaded(5_000_000);
    m.setOutboxLag('publisher-relay', 3);
    m.setProjectionLag('share-view', 7);
    const text = await metricsText(m.registry);
    expect(text).toContain('tiktok_api_calls_total{service="publisher",endpoint="video_init",outcome="ok"} 2');
    expect(text).toContain('tiktok_api_calls_total{service="publisher",endpoint="status",outcome="rate_limited"} 1');
    expect(text).toContain('tiktok_bytes_uploaded_total{service="publisher"} 5000000');
    expect(text).toContain('outbox_lag_events{service="publisher",relay="publisher-relay"} 3');
    expect(text).toContain('projection_lag_events{service="publisher",projection="share-view"} 7');
    expect(text).toMatch(/http_request_duration_seconds_count\{service="publisher",method="GET",route="\/api\/v1\/tiktok\/shares\/:shareId",status="200"\} 1/);
  });

  it('lets several services share one registry', async () => {
    const registry = new Registry();
    createMetrics({ service: 'auth', registry }).countTikTokCall('token', 'ok');
    createMetrics({ service: 'quota', registry, collectDefaults: true }).setOutboxLag('quota-relay', 1);
    const text = await metricsText(registry);
    expect(text).toContain('tiktok_api_calls_total{service="auth",endpoint="token",outcome="ok"} 1');
    expect(text).toContain('outbox_lag_events{service="quota",relay="quota-relay"} 1');
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
