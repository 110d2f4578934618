import { authUrlQuerySchema, shareRequestBodySchema } from '@tiktok-share/contracts';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { SignJWT, type JWTPayload } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { AppError, tooManyRequests } from './errors.ts';
import {
  healthRoutes, httpMetrics, jwtAuth, limitBody, problemJson, problemNotFound, requestId, requireAdmin, zodValidator, type AuthEnv,
} from './http.ts';
import { createMetrics, metricsText } from './metrics.ts';

const SECRET = 'test-secret-at-least-32-characters-long';

function baseApp() {
  const app = new Hono<AuthEnv>();
  app.use('*', requestId());
  app.onError(problemJson());
  app.notFound(problemNotFound);
  return app;
}

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as Record<string, unknown>;
}

describe('requestId', () => {
  it('generates, echoes a safe incoming id, and replaces an unsafe one', async () => {
    const app = baseApp();
    app.get('/x', (c) => c.text(c.get('requestId')));
    const fresh = await app.request('/x');
    expect(await fresh.text()).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await app.request('/x', { headers: { 'X-Request-Id': 'abc-123' } })).headers.get('x-request-id')).toBe('abc-123');
    expect((await app.request('/x', { headers: { 'X-Request-Id': 'bad id\twith<html>' } })).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('problemJson', () => {
  it('renders an AppError with its code, status and top-level extra fields', async () => {
    const app = baseApp();
    const retryAt = new Date(Date.now() + 60_000).toISOString();
    app.get('/limited', () => {
      throw tooManyRequests('daily_limit_reached', 'Daily post limit reached', retryAt, { limit: 15 });
    });
    const res = await app.request('/limited', { headers: { 'X-Request-Id': 'r-1' } });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(await problem(res)).toEqual({
      type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'Daily post limit reached',
      code: 'daily_limit_reached', requestId: 'r-1', retryAt, limit: 15,
    });
  });

  it('turns a thrown zod error into 400 validation_failed with paths', async () => {
    const app = baseApp();
    app.get('/z', () => {
      z.object({ a: z.object({ b: z.number() }) }).parse({ a: { b: 'x' } });
      return new Response('unreachable');
    });
    const body = await problem(await app.request('/z'));
    expect(body).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ path: 'a.b' }] });
  });

  it('maps HTTPException and hides unknown errors behind a generic 500, logging them', async () => {
    const logger = { error: vi.fn() };
    const app = new Hono();
    app.use('*', requestId());
    app.onError(problemJson({ logger: logger as never, typeBase: 'https://errors.example.com/' }));
    app.get('/gone', () => {
      throw new HTTPException(405, { message: 'nope' });
    });
    app.get('/boom', () => {
      throw new Error('connection to postgres://admin:hunter2@db failed');
    });
    expect(await problem(await app.request('/gone'))).toMatchObject({ status: 405, code: 'method_not_allowed', type: 'https://errors.example.com/method_not_allowed' });
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const text = JSON.stringify(await problem(res));
    expect(text).toContain('"code":"internal_error"');
    expect(text).not.toContain('hunter2');
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('answers unmatched routes with a 404 problem', async () => {
    expect(await problem(await baseApp().request('/nowhere'))).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('zodValidator', () => {
  function shareApp() {
    const app = baseApp();
    app.post('/shares', zodValidator('json', shareRequestBodySchema), (c) => c.json(c.req.valid('json')));
    app.get('/auth/url', zodValidator('query', authUrlQuerySchema), (c) => c.json(c.req.valid('query')));
    return app;
  }
  const post = (body: string) => shareApp().request('/shares', { method: 'POST', body, headers: { 'content-type': 'application/json' } });

  it('passes parsed data with defaults', async () => {
    const res = await post(JSON.stringify({ accountId: 'a', mode: 'draft', video: { path: 'v.mp4' } }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ isAigc: true, disableComment: false });
  });

  it('fails with validation_failed and the failing paths, or a schema-chosen code', async () => {
    const res = await post(JSON.stringify({ accountId: 'a', mode: 'direct', video: { path: 'v.mp4' }, title: 'x'.repeat(2201) }));
    const body = await problem(res);
    expect(body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['privacyLevel', 'title']);
    const bad = await shareApp().request('/auth/url?returnTo=//evil.com');
    expect(await problem(bad)).toMatchObject({ status: 400, code: 'invalid_return_to' });
  });

  it('treats malformed JSON as validation_failed', async () => {
    expect(await problem(await post('{"accountId":'))).toMatchObject({ status: 400, code: 'validation_failed' });
  });
});

describe('limitBody', () => {
  const app = baseApp();
  app.post('/small', limitBody(10), async (c) => c.text(await c.req.text()));

  it('accepts bodies up to the limit and answers 413 payload_too_large beyond', async () => {
    expect(await (await app.request('/small', { method: 'POST', body: '0123456789' })).text()).toBe('0123456789');
    const big = await app.request('/small', { method: 'POST', body: '01234567890' });
    expect(big.status).toBe(413);
    expect(await problem(big)).toMatchObject({ code: 'payload_too_large', maxBytes: 10 });
  });

  it('also stops streamed bodies without Content-Length', async () => {
    const stream = new ReadableStream({
      start(ctrl) {
        ctrl.enqueue(new TextEncoder().encode('0123456'));
        ctrl.enqueue(new TextEncoder().encode('789abc'));
        ctrl.close();
      },
    });
    const res = await app.request('/small', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
  });
});

describe('jwtAuth (HS256) and requireAdmin', () => {
  const sign = (claims: JWTPayload, opts: { secret?: string; exp?: string } = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(opts.exp ?? '5m')
      .sign(new TextEncoder().encode(opts.secret ?? SECRET));

  function authApp() {
    const app = baseApp();
    app.use('/api/*', jwtAuth({ secret: SECRET, queryParam: 'access_token' }));
    app.use('/api/admin/*', requireAdmin());
    app.get('/api/me', (c) => c.json(c.get('user')));
    app.get('/api/admin/x', (c) => c.json({ ok: true }));
    return app;
  }
  const get = async (path: string, token?: string) =>
    authApp().request(path, token ? { headers: { Authorization: `Bearer ${token}` } } : {});

  it('sets the user from sub and roles', async () => {
    const res = await get('/api/me', await sign({ sub: 'user-1', roles: ['admin', 'ops'] }));
    expect(await res.json()).toEqual({ id: 'user-1', roles: ['admin', 'ops'] });
    const viaQuery = await authApp().request(`/api/me?access_token=${await sign({ sub: 'user-2' })}`);
    expect(await viaQuery.json()).toEqual({ id: 'user-2', roles: [] });
  });

  it('answers 401 unauthorized for missing, badly signed, expired, subject-less and alg=none tokens', async () => {
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"u"}').toString('base64url')}.`;
    const tokens = [
      undefined,
      await sign({ sub: 'u' }, { secret: 'another-secret-also-32-characters-long' }),
      await sign({ sub: 'u' }, { exp: '-1m' }),
      await sign({ roles: ['admin'] }),
      none,
      'not-a-jwt',
    ];
    for (const token of tokens) {
      const res = await get('/api/me', token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await problem(res)).toMatchObject({ code: 'unauthorized' });
    }
  });

  it('gives 403 forbidden to non-admins on admin routes', async () => {
    const user = await get('/api/admin/x', await sign({ sub: 'u', roles: ['user'] }));
    expect(user.status).toBe(403);
    expect(await problem(user)).toMatchObject({ code: 'forbidden' });
    expect((await get('/api/admin/x', await sign({ sub: 'u', roles: 'admin' }))).status).toBe(200);
  });

  it('refuses to start without a key', () => {
    expect(() => jwtAuth({})).toThrow(/secret or a jwksUrl/);
  });
});

describe('health and metrics', () => {
  it('readyz is 503 with the failing check when one fails or hangs', async () => {
    const app = new Hono();
    let dbUp = true;
    app.route('/', healthRoutes({
      checks: { db: async () => dbUp, bus: async () => true, slow: () => new Promise<boolean>(() => {}) },
      timeoutMs: 50,
    }));
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' });
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not_ready', checks: { db: true, bus: true, slow: false } });
    dbUp = false;
    const app2 = new Hono();
    app2.route('/', healthRoutes({ checks: { db: async () => dbUp, bus: async () => true } }));
    expect((await (await app2.request('/readyz')).json()).checks).toEqual({ db: false, bus: true });
    dbUp = true;
    expect((await app2.request('/readyz')).status).toBe(200);
  });

  it('labels request durations with the route pattern', async () => {
    const metrics = createMetrics({ service: 'gateway' });
    const app = baseApp();
    app.use('*', httpMetrics(metrics));
    app.get('/shares/:shareId', (c) => c.json({ id: c.req.param('shareId') }));
    app.get('/fail', () => {
      throw new AppError('not_found', 404, 'x');
    });
    await app.request('/shares/s-123');
    await app.request('/fail');
    const text = await metricsText(metrics.registry);
    expect(text).toContain('route="/shares/:shareId",status="200"');
    expect(text).not.toContain('s-123');
    expect(text).toContain('route="/fail",status="404"');
  });
});
