/**
 * Prometheus metrics (prom-client). Every metric carries a `service` label so several services
 * can share one registry in the embedded process (one `/metrics` for all) without name clashes;
 * distributed, each process has its own registry. Never put tokens or user ids in label values.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';

export { Registry } from 'prom-client';

export interface MetricsOptions {
  service: string;
  /** Share one registry between services of a process; a fresh one when absent. */
  registry?: Registry | undefined;
  /** Also collect process metrics (CPU, memory, event loop). Once per registry. */
  collectDefaults?: boolean | undefined;
}

export type TikTokOutcome = 'ok' | 'retryable_error' | 'reauth_required' | 'final_error' | 'rate_limited';

export interface Metrics {
  registry: Registry;
  service: string;
  httpRequestDuration: Histogram<'service' | 'method' | 'route' | 'status'>;
  tiktokCalls: Counter<'service' | 'endpoint' | 'outcome'>;
  /** Latency by endpoint only (outcome would multiply the buckets; the counter has it). */
  tiktokCallDuration: Histogram<'service' | 'endpoint'>;
  bytesUploaded: Counter<'service'>;
  outboxLag: Gauge<'service' | 'relay'>;
  outboxLagSeconds: Gauge<'service' | 'relay'>;
  projectionLag: Gauge<'service' | 'projection'>;
  /** `route` is the matched pattern (`/api/v1/tiktok/shares/:shareId`), never the raw path. */
  observeHttp(method: string, route: string, status: number, seconds: number): void;
  countTikTokCall(endpoint: string, outcome: TikTokOutcome | (string & {})): void;
  observeTikTokCall(endpoint: string, seconds: number): void;
  addBytesUploaded(bytes: number): void;
  /** Events appended but not yet published by the relay. */
  setOutboxLag(relay: string, events: number): void;
  /** Age of the oldest public event the relay had not yet published. */
  setOutboxLagSeconds(relay: string, seconds: number): void;
  /** Events behind the head for an async projection. */
  setProjectionLag(projection: string, events: number): void;
}

// Reuse a metric already registered (another service of the same process made it).
function getOrCreate<M extends Metric>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/**
 * @example
 * const metrics = createMetrics({ service: 'publisher' });
 * metrics.countTikTokCall('video_init', 'ok');
 * const text = await metricsText(metrics.registry);
 */
export function createMetrics(opts: MetricsOptions): Metrics {
  const registry = opts.registry ?? new Registry();
  const registers = [registry];
  if (opts.collectDefaults && !registry.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics({ register: registry });
  const httpRequestDuration = getOrCreate(registry, 'http_request_duration_seconds', () => new Histogram({
    name: 'http_request_duration_seconds', help: 'HTTP request duration by route and status',
    labelNames: ['service', 'method', 'route', 'status'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
  }));
  const tiktokCalls = getOrCreate(registry, 'tiktok_api_calls_total', () => new Counter({
    name: 'tiktok_api_calls_total', help: 'Calls to the TikTok API by endpoint and outcome', labelNames: ['service', 'endpoint', 'outcome'] as const, registers,
  }));
  const tiktokCallDuration = getOrCreate(registry, 'tiktok_api_call_duration_seconds', () => new Histogram({
    name: 'tiktok_api_call_duration_seconds', help: 'Duration of TikTok API calls (a chunk upload includes streaming its body)',
    labelNames: ['service', 'endpoint'] as const, buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers,
  }));
  const bytesUploaded = getOrCreate(registry, 'tiktok_bytes_uploaded_total', () => new Counter({
    name: 'tiktok_bytes_uploaded_total', help: 'Video bytes acknowledged by TikTok', labelNames: ['service'] as const, registers,
  }));
  const outboxLag = getOrCreate(registry, 'outbox_lag_events', () => new Gauge({
    name: 'outbox_lag_events', help: 'Public events not yet published by the outbox relay', labelNames: ['service', 'relay'] as const, registers,
  }));
  const outboxLagSeconds = getOrCreate(registry, 'outbox_lag_seconds', () => new Gauge({
    name: 'outbox_lag_seconds', help: 'Age of the oldest public event not yet published by the outbox relay (0 when drained)',
    labelNames: ['service', 'relay'] as const, registers,
  }));
  const projectionLag = getOrCreate(registry, 'projection_lag_events', () => new Gauge({
    name: 'projection_lag_events', help: 'Events an async projection is behind', labelNames: ['service', 'projection'] as const, registers,
  }));
  const service = opts.service;
  return {
    registry, service, httpRequestDuration, tiktokCalls, tiktokCallDuration, bytesUploaded, outboxLag, outboxLagSeconds, projectionLag,
    observeHttp: (method, route, status, seconds) => httpRequestDuration.observe({ service, method, route, status: String(status) }, seconds),
    countTikTokCall: (endpoint, outcome) => tiktokCalls.inc({ service, endpoint, outcome }),
    observeTikTokCall: (endpoint, seconds) => tiktokCallDuration.observe({ service, endpoint }, seconds),
    addBytesUploaded: (bytes) => bytesUploaded.inc({ service }, bytes),
    setOutboxLag: (relay, events) => outboxLag.set({ service, relay }, events),
    setOutboxLagSeconds: (relay, seconds) => outboxLagSeconds.set({ service, relay }, seconds),
    setProjectionLag: (projection, events) => projectionLag.set({ service, projection }, events),
  };
}

/** What the TikTok client's `onCall` reports (structural: platform does not depend on libs/tiktok). */
export interface TikTokCallReport {
  endpoint: string;
  outcome: string;
  httpStatus: number;
  ms: number;
  bytes?: number | undefined;
}

/**
 * Label values come from TikTok (error codes): keep them to a bounded, safe alphabet so a strange
 * answer can neither blow up the series count nor smuggle anything into the exposition.
 */
function labelValue(value: string): string {
  return /^[a-z0-9_]{1,64}$/.test(value) ? value : 'other';
}

/**
 * The TikTok client's `onCall` hook feeding calls by endpoint and outcome, their latency and the
 * bytes uploaded (acknowledged chunks only).
 * @example createTikTokClient({ ...options, onCall: tiktokCallMetrics(metrics) })
 */
export function tiktokCallMetrics(metrics: Metrics): (call: TikTokCallReport) => void {
  return (call) => {
    const endpoint = labelValue(call.endpoint);
    metrics.countTikTokCall(endpoint, labelValue(call.outcome));
    metrics.observeTikTokCall(endpoint, call.ms / 1000);
    if (call.bytes !== undefined && call.bytes > 0) metrics.addBytesUploaded(call.bytes);
  };
}

/** What the outbox relay's `onLag` reports after each batch. */
export interface OutboxLagReport {
  name: string;
  events: number;
  ageMs: number;
}

/**
 * The outbox relay's `onLag` hook feeding `outbox_lag_events` and `outbox_lag_seconds`.
 * @example startOutboxRelay({ ...options, onLag: outboxLagMetrics(metrics) })
 */
export function outboxLagMetrics(metrics: Metrics): (lag: OutboxLagReport) => void {
  return (lag) => {
    metrics.setOutboxLag(lag.name, lag.events);
    metrics.setOutboxLagSeconds(lag.name, Math.max(0, lag.ageMs) / 1000);
  };
}

/** Content type of the Prometheus text exposition. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Prometheus text of a registry (or several, merged; they must not share metric names).
 * @example c.text(await metricsText(metrics.registry), 200, { 'content-type': METRICS_CONTENT_TYPE })
 */
export async function metricsText(registry: Registry | Registry[]): Promise<string> {
  const r = Array.isArray(registry) ? Registry.merge(registry) : registry;
  return r.metrics();
}
