import { describe, expect, it } from 'vitest';
import { adminRpc } from '@tiktok-share/contracts/rpc.ts';
import { createInProcessBus } from '@tiktok-share/messaging';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import { createMetrics } from '@tiktok-share/platform/metrics.ts';
import { serveMetricsRpc } from './metrics-rpc.ts';

describe('serveMetricsRpc', () => {
  it("answers tiktok.rpc.<svc>.metrics with the service registry's Prometheus text", async () => {
    const bus = createInProcessBus();
    const metrics = createMetrics({ service: 'publisher' });
    metrics.countTikTokCall('video_init', 'ok');
    const sub = await serveMetricsRpc({ bus, service: 'publisher', registry: metrics.registry });
    const op = adminRpc('publisher').metrics;
    expect(op.subject).toBe('tiktok.rpc.publisher.metrics');
    const { text } = await callRpc(bus, op.subject, {}, op.output, { timeoutMs: 1000 });
    expect(text).toContain('tiktok_api_calls_total{service="publisher",endpoint="video_init",outcome="ok"} 1');
    expect(text).not.toContain('process_cpu_user_seconds_total');
    await sub.stop();
    await bus.close();
  });
});
