/** Per-gateway Prometheus registry: request counts and latency by route pattern (never raw paths). */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface GatewayMetrics {
  registry: Registry;
  middleware: MiddlewareHandler;
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
  const middleware: MiddlewareHandler = async (c, next) => {
    const start = performance.now();
    await next();
    const labels = { method: c.req.method, route: routePath(c, -1), status: String(c.res.status) };
    requests.inc(labels);
    latency.observe(labels, (performance.now() - start) / 1000);
  };
  return { registry, middleware };
}
