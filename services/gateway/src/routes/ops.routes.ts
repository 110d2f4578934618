/** Health, readiness, metrics and the API documents. All public (probes and scrapers carry no JWT). */
import { z } from 'zod';
import { serviceNameSchema } from '@tiktok-share/contracts/common.ts';
import type { Registry } from 'prom-client';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { buildOpenApi } from '../http/openapi.ts';
import { renderDocsPage } from '../http/docs-page.ts';
import { productMetricsText } from '../http/service-metrics.ts';
import type { RouteDeps } from './deps.ts';
import { serviceSubject, services } from './subjects.ts';

const healthSchema = z.object({ service: z.string(), db: z.boolean(), bus: z.boolean() }).loose();
const checkSchema = z.object({ service: serviceNameSchema, healthy: z.boolean(), db: z.boolean().nullable(), bus: z.boolean().nullable(), error: z.string().optional() });
const readySchema = z.object({ ready: z.boolean(), bus: z.boolean(), services: z.array(checkSchema) });

async function checkService(deps: RouteDeps, service: (typeof services)[number]): Promise<z.infer<typeof checkSchema>> {
  try {
    const h = await deps.rpc(serviceSubject(service, 'health'), {}, healthSchema, { timeoutMs: deps.config.readyTimeoutMs ?? 1000 });
    return { service, healthy: h.db && h.bus, db: h.db, bus: h.bus };
  } catch (err) {
    return { service, healthy: false, db: null, bus: null, error: err instanceof Error && 'code' in err ? String(err.code) : 'unreachable' };
  }
}

/** `allRoutes` is called lazily so the documents include every route, these included. */
export function opsRoutes(deps: RouteDeps, registry: Registry, allRoutes: () => readonly RouteSpec[]): RouteSpec[] {
  return [
    defineRoute({
      operationId: 'healthz', method: 'get', path: '/healthz', tag: 'ops', access: 'public',
      summary: 'Liveness: the process is up.',
      responses: { 200: { description: 'up', schema: z.object({ status: z.literal('ok') }) } },
      handle: (_i, c) => c.json({ status: 'ok' as const }),
    }),
    defineRoute({
      operationId: 'readyz', method: 'get', path: '/readyz', tag: 'ops', access: 'public',
      summary: "Readiness: the bus is up and every service answers its health RPC with db and bus healthy.",
      responses: { 200: { description: 'ready', schema: readySchema }, 503: { description: 'not ready (body lists each service)', schema: readySchema } },
      async handle(_i, c) {
        const [bus, checks] = await Promise.all([deps.bus.healthy().catch(() => false), Promise.all(services.map((s) => checkService(deps, s)))]);
        const ready = bus && checks.every((s) => s.healthy);
        return c.json({ ready, bus, services: checks }, ready ? 200 : 503);
      },
    }),
    defineRoute({
      operationId: 'metrics', method: 'get', path: '/metrics', tag: 'ops', access: 'public',
      summary: "Prometheus metrics (text exposition format): the gateway's and every service's (fetched over the bus); tiktok_share_metrics_scrape_up{service} says which answered.",
      responses: { 200: { description: 'metrics', contentType: 'text/plain; version=0.0.4' } },
      async handle(_i, c) {
        const timeoutMs = deps.config.metricsTimeoutMs ?? deps.config.readyTimeoutMs ?? 1000;
        return c.body(await productMetricsText(deps, registry, services, timeoutMs), 200, { 'content-type': registry.contentType });
      },
    }),
    defineRoute({
      operationId: 'openapi', method: 'get', path: '/openapi.json', tag: 'ops', access: 'public',
      summary: 'This API as OpenAPI 3.1, generated from the route table.',
      responses: { 200: { description: 'OpenAPI document', contentType: 'application/json' } },
      handle: (_i, c) => c.json(buildOpenApi(allRoutes(), { title: 'Share to TikTok API', version: '1', serverUrl: deps.config.publicBaseUrl })),
    }),
    defineRoute({
      operationId: 'docs', method: 'get', path: '/docs', tag: 'ops', access: 'public',
      summary: 'Human-readable API documentation.',
      responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
      handle: (_i, c) => c.html(renderDocsPage(allRoutes())),
    }),
  ];
}
