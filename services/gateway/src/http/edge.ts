/**
 * The one outer middleware of the gateway: request id, CORS response headers and metrics.
 *
 * Why not hono's `requestId()` + `cors()` middlewares: `cors()` reads `c.res` before the handler
 * runs, which makes Hono merge the handler's response into a new one afterwards (and again for the
 * trailing `Vary`). Under @hono/node-server that merge materialises a full web `Response` with a
 * `ReadableStream` body, pushing every API response off the server's cached fast path (it cost
 * about a third of a share-view request). Here every header is prepared with `c.header` BEFORE the
 * handler, so `c.json` / `c.body` responses carry them from birth; responses built without the
 * context (problem+json from `onError` / `notFound`) get the missing ones copied in place after.
 * The headers sent are the same as with hono's middlewares (see edge.test.ts). Preflight
 * (`OPTIONS /api/*`) still goes through hono's `cors()`, which answers it without a handler.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { GatewayMetrics } from './metrics.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the edge middleware on every request (problem bodies and logs name it). */
    requestId: string;
  }
}

export const REQUEST_ID_HEADER = 'x-request-id';
const API_PREFIX = '/api/';
const ALLOW_HEADERS = ['authorization', 'content-type', 'idempotency-key'];
const ALLOW_METHODS = ['GET', 'POST', 'DELETE', 'OPTIONS'];

export interface EdgeOptions {
  /** Origins allowed to read API responses from a browser (exact match). */
  corsOrigins: readonly string[];
  metrics: GatewayMetrics;
}

/**
 * @example app.use('*', createEdgeMiddleware({ corsOrigins: ['https://app.example'], metrics }));
 */
export function createEdgeMiddleware(opts: EdgeOptions): MiddlewareHandler {
  const origins = new Set(opts.corsOrigins);
  const preflight = cors({
    origin: [...opts.corsOrigins],
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: [REQUEST_ID_HEADER],
    allowMethods: ALLOW_METHODS,
  });
  return async (c, next) => {
    const start = performance.now();
    const requestId = incomingRequestId(c.req.header(REQUEST_ID_HEADER)) ?? crypto.randomUUID();
    c.set('requestId', requestId);
    c.header(REQUEST_ID_HEADER, requestId);
    const api = c.req.path.startsWith(API_PREFIX);
    if (api && c.req.method === 'OPTIONS') {
      // cors() answers a preflight by returning a Response (what compose would assign to c.res).
      const res = await preflight(c, next);
      if (res) c.res = res;
    } else {
      const extra = api ? corsHeaders(c.req.header('origin'), origins) : undefined;
      if (extra) for (const [name, value] of extra) c.header(name, value);
      await next();
      completeHeaders(c.res.headers, requestId, extra);
    }
    opts.metrics.observe(c, start);
  };
}

/** Same rule as hono's requestId(): a client-sent id is kept when short and word-like. */
function incomingRequestId(value: string | undefined): string | undefined {
  return value && value.length <= 255 && !/[^\w\-=]/.test(value) ? value : undefined;
}

/** What hono's cors() adds to a non-preflight response (`Vary: Origin`, origins being a list). */
function corsHeaders(origin: string | undefined, allowed: ReadonlySet<string>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (origin && allowed.has(origin)) out.push(['access-control-allow-origin', origin]);
  out.push(['access-control-expose-headers', REQUEST_ID_HEADER], ['vary', 'Origin']);
  return out;
}

/**
 * A response built outside the context (problem+json) lacks the prepared headers: copy them in
 * place. Responses made by the context already have them, so this usually only reads.
 */
function completeHeaders(headers: Headers, requestId: string, extra: ReadonlyArray<[string, string]> | undefined): void {
  if (!extra) {
    if (!headers.has(REQUEST_ID_HEADER)) headers.set(REQUEST_ID_HEADER, requestId);
    return;
  }
  // The expose header is always among the prepared ones and nothing else sets it: when present,
  // the response was built by the context and carries them all (the common case, one look-up).
  if (headers.has('access-control-expose-headers')) return;
  if (!headers.has(REQUEST_ID_HEADER)) headers.set(REQUEST_ID_HEADER, requestId);
  for (const [name, value] of extra) {
    if (name === 'vary') {
      if (!headers.get('vary')?.split(',').some((v) => v.trim().toLowerCase() === 'origin')) headers.append('vary', value);
    } else if (!headers.has(name)) {
      headers.set(name, value);
    }
  }
}
