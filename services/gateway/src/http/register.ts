/**
 * Registers a route table on a Hono app: body limit → authentication → validation → handler.
 * Authentication runs before validation so an anonymous caller learns nothing about the shapes.
 */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { forbidden, payloadTooLarge, validationFailed } from '@tiktok-share/platform/errors.ts';
import type { Principal, VerifyBearer } from './auth.ts';
import type { RouteSpec } from './route.ts';
import { parseOrThrow } from './validate.ts';

export const DEFAULT_BODY_LIMIT = 64 * 1024;

export interface RegisterDeps {
  verifyBearer: VerifyBearer;
}

/** Adds every route of `routes` to `app`. */
export function registerRoutes(app: Hono, routes: readonly RouteSpec[], deps: RegisterDeps): void {
  for (const route of routes) {
    const handler = (c: Context) => runRoute(route, c, deps);
    if (route.method === 'get') {
      app.on('GET', route.path, handler);
      continue;
    }
    const maxSize = route.bodyLimit ?? DEFAULT_BODY_LIMIT;
    const limit = bodyLimit({ maxSize, onError: () => { throw payloadTooLarge(maxSize); } });
    app.on(route.method.toUpperCase(), route.path, limit, handler);
  }
}

async function runRoute(route: RouteSpec, c: Context, deps: RegisterDeps): Promise<Response> {
  const principal = await authenticate(route, c, deps);
  const params = route.params ? parseOrThrow(route.params, c.req.param(), 'params') : undefined;
  const query = route.query ? parseOrThrow(route.query, c.req.query(), 'query') : undefined;
  const headers = route.headers ? parseOrThrow(route.headers, c.req.header(), 'headers') : undefined;
  const body = route.body && route.bodyMode !== 'raw' ? parseOrThrow(route.body, await readJson(c), 'body') : undefined;
  const requestId = (c.get('requestId') as string | undefined) ?? '';
  return route.handle({ params, query, body, headers, principal, requestId }, c);
}

async function authenticate(route: RouteSpec, c: Context, deps: RegisterDeps): Promise<Principal | null> {
  if (route.access === 'public') return null;
  const principal = await deps.verifyBearer(c.req.header('authorization'));
  if (route.access === 'admin' && !principal.roles.includes('admin')) throw forbidden();
  return principal;
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw validationFailed([{ path: 'body', message: 'The body is not valid JSON' }]);
  }
}
