/** Per-gateway Prometheus registry: request counts and latency by route pattern (never raw paths). */
import type { Context } from 'hono';
import { routePath } from 'hono/route';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface GatewayMetrics {
  registry: Registry;
  /** Count and time one finished request (`startMs` from `performance.now()` when it arrived). */
  observe(c: Context, startMs: number): void;
}

interface Children {
  requests: { inc(): void };
  latency: { observe(value: number): void };
}

/** A fresh registry per gateway instance, so several apps in one test process don't collide. */
export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'gateway_http_requests_total', help: 'HTTP requests', labelNames, registers: [registry] });
  const latency = new Histogram({
    name: 'gateway_http_request_duration_seconds', help: 'HTTP request latency', labelNames, registers: [registry],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  // Label children bound once per (method, route pattern, status): label validation and the label
  // object happen once, not per request (prom-client still hashes the labels on each call). The key
  // space is bounded by the route table × statuses.
  const children = new Map<string, Children>();
  const bound = (method: string, route: string, status: string): Children => {
    const key = `${method} ${status} ${route}`;
    let child = children.get(key);
    if (!child) {
      const labels = { method, route, status };
      child = { requests: requests.labels(labels), latency: latency.labels(labels) };
      children.set(key, child);
    }
    return child;
  };
  return {
    registry,
    observe(c, startMs) {
      const child = bound(c.req.method, routePath(c, -1), String(c.res.status));
      child.requests.inc();
      child.latency.observe((performance.now() - startMs) / 1000);
    },
  };
}
