import { describe, expect, it } from 'vitest';
import { Registry, createMetrics, metricsText } from './metrics.ts';
import { mergeExpositions } from './exposition.ts';

const typeLines = (text: string, name: string) => text.split('\n').filter((l) => l === `# TYPE ${name} counter` || l.startsWith(`# TYPE ${name} `));

describe('mergeExpositions', () => {
  it('puts each family once with the samples of every service under it', async () => {
    const auth = createMetrics({ service: 'auth' });
    const publisher = createMetrics({ service: 'publisher' });
    auth.countTikTokCall('token', 'ok');
    publisher.countTikTokCall('video_init', 'ok');
    publisher.observeTikTokCall('video_init', 0.2);
    auth.observeTikTokCall('token', 0.1);
    const text = mergeExpositions([await metricsText(auth.registry), await metricsText(publisher.registry)]);
    expect(typeLines(text, 'tiktok_api_calls_total')).toHaveLength(1);
    expect(typeLines(text, 'tiktok_api_call_duration_seconds')).toHaveLength(1);
    const lines = text.split('\n');
    const type = lines.indexOf('# TYPE tiktok_api_calls_total counter');
    // Both services' samples directly follow the family's TYPE line (contiguous family).
    expect(lines.slice(type + 1, type + 3).sort()).toEqual([
      'tiktok_api_calls_total{service="auth",endpoint="token",outcome="ok"} 1',
      'tiktok_api_calls_total{service="publisher",endpoint="video_init",outcome="ok"} 1',
    ]);
    // Histogram series (_bucket, _sum, _count) of both services stay under their family.
    const hist = lines.indexOf('# TYPE tiktok_api_call_duration_seconds histogram');
    const next = lines.findIndex((l, i) => i > hist && l.startsWith('# HELP'));
    const block = lines.slice(hist + 1, next === -1 ? undefined : next);
    expect(block.filter((l) => l.startsWith('tiktok_api_call_duration_seconds_count'))).toEqual([
      'tiktok_api_call_duration_seconds_count{service="auth",endpoint="token"} 1',
      'tiktok_api_call_duration_seconds_count{service="publisher",endpoint="video_init"} 1',
    ]);
  });

  it('keeps a repeated series once and ignores blank and comment lines', () => {
    const a = '# HELP up_x help\n# TYPE up_x gauge\nup_x{service="a",route="/s/{id}"} 1\n\n# a comment\n';
    const b = '# HELP up_x other help\n# TYPE up_x gauge\nup_x{service="a",route="/s/{id}"} 5\nup_x{service="b",route="/s/{id}"} 0\n';
    expect(mergeExpositions([a, b])).toBe('# HELP up_x help\n# TYPE up_x gauge\nup_x{service="a",route="/s/{id}"} 1\nup_x{service="b",route="/s/{id}"} 0\n');
    expect(mergeExpositions(['', '\n'])).toBe('');
  });

  it('merges registries that share nothing but process metrics of one registry', async () => {
    const registry = new Registry();
    createMetrics({ service: 'gateway', registry, collectDefaults: true });
    const text = mergeExpositions([await metricsText(registry)]);
    expect(typeLines(text, 'process_cpu_user_seconds_total')).toHaveLength(1);
  });
});
