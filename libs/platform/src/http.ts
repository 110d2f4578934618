/**
 * Small, self-contained Hono helpers shared by every HTTP surface: request ids, problem+json
 * errors, zod validation that fails the same way everywhere, JWT auth, body limits, health and
 * request metrics. Web-standard only (runs on Node and Deno).
 */
import { zValidator } from '@hono/zod-validator';
import { Hono, type MiddlewareHandler, type ValidationTargets } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { routePath } from 'hono/route';
import type { $ZodType } from 'zod/v4/core';
import { payloadTooLarge } from './errors.ts';
import { zodToAppError } from './http-problem.ts';
import type { Metrics } from './metrics.ts';

export * from './http-problem.ts';
export * from './http-auth.ts';

const REQUEST_ID_HEADER = 'x-request-id';
// Accept a caller's id only if it is short and harmless (it is echoed into logs and headers).
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Sets `c.var.requestId` from `X-Request-Id` (or a fresh uuid) and echoes it in the response.
 * @example app.use('*', requestId());
 */
export function requestId(): MiddlewareHandler<{ Variables: { requestId: string } }> {
  return async (c, next) => {
    const incoming = c.req.header(REQUEST_ID_HEADER);
    const id = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  };
}

/**
 * `@hono/zod-validator` whose failures throw 400 `validation_failed` (rendered by `problemJson`)
 * instead of answering zod's raw error JSON.
 * @example app.post('/shares', zodValidator('json', shareRequestBodySchema), (c) => c.json(c.req.valid('json')));
 */
export function zodValidator<T extends $ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return zValidator(target, schema, (result) => {
    if (!result.success) throw zodToAppError(result.error);
  });
}

/**
 * Reject bodies over `maxBytes` with 413 `payload_too_large` (checked on Content-Length and while
 * streaming, so a lying or absent header does not help).
 * @example app.post('/tiktok/webhooks', limitBody(64 * 1024), handler);
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw payloadTooLarge(maxBytes);
    },
  });
}

/** Records `http_request_duration_seconds` by matched route pattern (bounded label cardinality). */
export function httpMetrics(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      const route = c.res.status === 404 && routePath(c, -1) === '*' ? '(unmatched)' : routePath(c, -1) || '(unknown)';
      metrics.observeHttp(c.req.method, route, c.res.status, (performance.now() - start) / 1000);
    }
  };
}

/** A named readiness check; resolves true when healthy. A throw or a timeout counts as false. */
export type ReadinessCheck = () => Promise<boolean>;

/**
 * Run every check concurrently, each bounded by `timeoutMs`.
 * @example const { ready, checks } = await readiness({ db: () => pingDb(), bus: () => bus.healthy() });
 */
export async function readiness(checks: Record<string, ReadinessCheck>, timeoutMs = 2000): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await withTimeout(check, timeoutMs)] as const),
  );
  return { ready: entries.every(([, ok]) => ok), checks: Object.fromEntries(entries) };
}

async function withTimeout(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([check().then((ok) => ok === true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET /healthz` (liveness: the process answers) and `GET /readyz` (200 when every check passes,
 * else 503 with the failing ones). Mount with `app.route('/', healthRoutes({ checks }))`.
 */
export function healthRoutes(opts: { checks: Record<string, ReadinessCheck>; timeoutMs?: number }): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const { ready, checks } = await readiness(opts.checks, opts.timeoutMs);
    return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
  });
  return app;
}
