/**
 * GET /metrics of the whole stack (real PostgreSQL, real NATS, the emulator over HTTP): after one
 * share is published, the gateway's scrape shows the services' metrics fetched over the bus — the
 * publisher's TikTok calls by endpoint and outcome, the bytes it uploaded, outbox lag — next to its own.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES, startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 60_000);
afterAll(() => stack?.stop());

/** Value of the sample line `series` (name and labels exactly as exposed), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics across services', () => {
  it('shows the publisher TikTok calls, bytes uploaded and outbox lag after a published share', async () => {
    const alice = await stack.client('alice');
    const accountId = await stack.connectAccount(alice, 'metrics-direct');
    const share = await alice.createShare(
      { accountId, mode: 'direct', video: { path: 'sample-15s.mp4' }, title: 'metrics #test', privacyLevel: 'PUBLIC_TO_EVERYONE', isAigc: true },
      { idempotencyKey: crypto.randomUUID() },
    );
    await stack.waitForShare(alice, share.shareId, ['published']);
    const size = (await stat(join(SAMPLES, 'sample-15s.mp4'))).size;

    const res = await fetch(`${stack.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const s of ['auth', 'quota', 'publisher']) expect(sample(text, `tiktok_share_metrics_scrape_up{service="${s}"}`)).toBe(1);
    expect(sample(text, 'tiktok_api_calls_total{service="publisher",endpoint="video_init",outcome="ok"}')).toBe(1);
    expect(sample(text, 'tiktok_api_calls_total{service="publisher",endpoint="upload",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tiktok_api_calls_total{service="auth",endpoint="token",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tiktok_bytes_uploaded_total{service="publisher"}')).toBe(size);
    expect(sample(text, 'tiktok_api_call_duration_seconds_count{service="publisher",endpoint="video_init"}')).toBe(1);
    for (const s of ['auth', 'quota', 'publisher']) {
      expect(sample(text, `outbox_lag_events{service="${s}",relay="${s}"}`)).toBeGreaterThanOrEqual(0);
      expect(sample(text, `outbox_lag_seconds{service="${s}",relay="${s}"}`)).toBeGreaterThanOrEqual(0);
    }
    // The gateway's own metrics are there too, and every family appears once.
    expect(text).toMatch(/^gateway_http_requests_total\{method="POST",route="\/api\/v1\/tiktok\/shares",status="20\d"\} 1$/m);
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types.map((l) => l.split(' ')[2])).size).toBe(types.length);
  });
});
