import { describe, expect, it } from 'vitest';
import { Registry, createMetrics, metricsText, outboxLagMetrics, tiktokCallMetrics } from './metrics.ts';

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

  it('tiktokCallMetrics counts calls by endpoint and outcome, times them and adds acknowledged bytes', async () => {
    const m = createMetrics({ service: 'publisher' });
    const onCall = tiktokCallMetrics(m);
    onCall({ endpoint: 'video_init', outcome: 'ok', httpStatus: 200, ms: 120 });
    onCall({ endpoint: 'upload', outcome: 'ok', httpStatus: 206, ms: 900, bytes: 5_000_000 });
    onCall({ endpoint: 'upload', outcome: 'ok', httpStatus: 201, ms: 800, bytes: 1_234 });
    onCall({ endpoint: 'upload', outcome: 'range_not_satisfiable', httpStatus: 416, ms: 3 });
    onCall({ endpoint: 'status', outcome: 'Weird Code"}', httpStatus: 400, ms: 3 });
    const text = await metricsText(m.registry);
    expect(text).toContain('tiktok_api_calls_total{service="publisher",endpoint="video_init",outcome="ok"} 1');
    expect(text).toContain('tiktok_api_calls_total{service="publisher",endpoint="upload",outcome="ok"} 2');
    expect(text).toContain('tiktok_api_calls_total{service="publisher",endpoint="upload",outcome="range_not_satisfiable"} 1');
    expect(text).toContain('tiktok_api_calls_total{service="publisher",endpoint="status",outcome="other"} 1');
    expect(text).toContain('tiktok_bytes_uploaded_total{service="publisher"} 5001234');
    expect(text).toContain('tiktok_api_call_duration_seconds_sum{service="publisher",endpoint="video_init"} 0.12');
    expect(text).toContain('tiktok_api_call_duration_seconds_count{service="publisher",endpoint="upload"} 3');
  });

  it('outboxLagMetrics sets the event count and the age in seconds (never negative)', async () => {
    const m = createMetrics({ service: 'auth' });
    const onLag = outboxLagMetrics(m);
    onLag({ name: 'auth', events: 4, ageMs: 2_500 });
    let text = await metricsText(m.registry);
    expect(text).toContain('outbox_lag_events{service="auth",relay="auth"} 4');
    expect(text).toContain('outbox_lag_seconds{service="auth",relay="auth"} 2.5');
    onLag({ name: 'auth', events: 0, ageMs: -10 });
    text = await metricsText(m.registry);
    expect(text).toContain('outbox_lag_events{service="auth",relay="auth"} 0');
    expect(text).toContain('outbox_lag_seconds{service="auth",relay="auth"} 0');
  });
});
