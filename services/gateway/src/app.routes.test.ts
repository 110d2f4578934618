import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope } from '@tiktok-share/contracts/envelope.ts';
import { signWebhook } from '@tiktok-share/tiktok/webhook-signature.ts';
import { toOpenApiPath } from './http/openapi.ts';
import { startHarness, TEST_CLIENT_SECRET, type Harness } from './testing/harness.ts';
import { stubAccount, stubShare } from './testing/stub-services.ts';

let h: Harness;
let alice: string;
let bob: string;
let admin: string;

beforeEach(async () => {
  h = await startHarness({ corsOrigins: ['https://app.example'] });
  h.state.accounts.set('a1', stubAccount('alice', 'a1'));
  h.state.shares.set('s1', stubShare('alice', 's1', 'a1'));
  [alice, bob, admin] = await Promise.all([h.token('alice'), h.token('bob'), h.token('root', ['admin'])]);
});
afterEach(() => h.close());

const auth = (token: string | undefined, extra: Record<string, string> = {}) => (token ? { ...extra, authorization: `Bearer ${token}` } : extra);
const shareBody = { accountId: 'a1', mode: 'direct', video: { path: 'sample-15s.mp4' }, title: 'hi', privacyLevel: 'SELF_ONLY' };

describe('route table and OpenAPI', () => {
  it('documents every registered route and registers every documented one', async () => {
    const doc = (await (await h.app.request('/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const registered = h.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method.toLowerCase()} ${toOpenApiPath(r.path)}`);
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(new Set(registered)).toEqual(new Set(documented));
    expect(new Set(registered).size).toBe(h.routes.length);
  });

  it('generates request schemas from the zod contracts (input form)', async () => {
    const doc = (await (await h.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> }; parameters: Array<{ name: string; in: string }> }>> };
    const create = doc.paths['/api/v1/tiktok/shares']!['post']!;
    const schema = create.requestBody!.content['application/json']!.schema;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['accountId', 'mode', 'video', 'privacyLevel', 'isAigc']));
    expect(schema.required).toEqual(expect.arrayContaining(['accountId', 'mode', 'video']));
    expect(schema.required).not.toContain('isAigc');
    expect(create.parameters).toContainEqual(expect.objectContaining({ name: 'idempotency-key', in: 'header' }));
    expect(doc.paths['/api/v1/tiktok/shares/{shareId}']!['get']!.parameters).toContainEqual(expect.objectContaining({ name: 'shareId', in: 'path' }));
  });

  it('serves a docs page listing each operation', async () => {
    const res = await h.app.request('/docs');
    const html = await res.text();
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    for (const r of h.routes) expect(html).toContain(`id="${r.operationId}"`);
  });
});

interface MatrixRow { op: string; method: string; path: string; body?: unknown; headers?: Record<string, string>; user: number; other: number; admin: number }

/** anonymous is always 401; `other` is bob (not the owner); admin is a different user with role admin. */
const matrix: MatrixRow[] = [
  { op: 'getAuthUrl', method: 'GET', path: '/api/v1/tiktok/auth/url?returnTo=/x', user: 200, other: 200, admin: 200 },
  { op: 'listAccounts', method: 'GET', path: '/api/v1/tiktok/accounts', user: 200, other: 200, admin: 200 },
  { op: 'getCreatorInfo', method: 'GET', path: '/api/v1/tiktok/accounts/a1/creator-info', user: 200, other: 404, admin: 404 },
  { op: 'disconnectAccount', method: 'DELETE', path: '/api/v1/tiktok/accounts/a1', user: 204, other: 404, admin: 404 },
  { op: 'createShare', method: 'POST', path: '/api/v1/tiktok/shares', body: shareBody, headers: { 'idempotency-key': 'k1' }, user: 202, other: 404, admin: 404 },
  { op: 'listShares', method: 'GET', path: '/api/v1/tiktok/shares', user: 200, other: 200, admin: 200 },
  { op: 'getShare', method: 'GET', path: '/api/v1/tiktok/shares/s1', user: 200, other: 404, admin: 404 },
  { op: 'streamShareEvents', method: 'GET', path: '/api/v1/tiktok/shares/s9/events', user: 200, other: 404, admin: 404 },
  { op: 'getQuota', method: 'GET', path: '/api/v1/tiktok/quota?accountId=a1', user: 200, other: 404, admin: 404 },
  { op: 'listMedia', method: 'GET', path: '/api/v1/media', user: 200, other: 200, admin: 200 },
  { op: 'getMedia', method: 'GET', path: '/api/v1/media/nope.mp4', user: 404, other: 404, admin: 404 },
  { op: 'adminListEvents', method: 'GET', path: '/api/v1/admin/events?service=publisher', user: 403, other: 403, admin: 200 },
  { op: 'adminShareAudit', method: 'GET', path: '/api/v1/admin/shares/s1/audit', user: 403, other: 403, admin: 200 },
  { op: 'adminRebuildProjections', method: 'POST', path: '/api/v1/admin/projections/quota/rebuild', user: 403, other: 403, admin: 202 },
];

describe('authorization matrix', () => {
  it('covers every non-public route', () => {
    const protectedOps = h.routes.filter((r) => r.access !== 'public').map((r) => r.operationId);
    expect(new Set(matrix.map((m) => m.op))).toEqual(new Set(protectedOps));
  });

  for (const row of matrix) {
    it(`${row.op}: anonymous 401, owner ${row.user}, other user ${row.other}, admin ${row.admin}`, async () => {
      // A finished share so the SSE stream ends right after the first view.
      h.state.shares.set('s9', stubShare('alice', 's9', 'a1', 'published'));
      const send = async (token: string | undefined) => {
        const init: RequestInit = { method: row.method, headers: auth(token, { 'content-type': 'application/json', ...row.headers }) };
        if (row.body) init.body = JSON.stringify(row.body);
        const res = await h.app.request(row.path, init);
        await res.arrayBuffer();
        return res.status;
      };
      expect(await send(undefined)).toBe(401);
      expect(await send('not-a-jwt')).toBe(401);
      expect(await send(bob)).toBe(row.other);
      expect(await send(admin)).toBe(row.admin);
      expect(await send(alice)).toBe(row.user);
    });
  }

  it('always passes userId from the JWT, never from the client', async () => {
    await h.app.request('/api/v1/tiktok/shares?userId=bob', { headers: auth(alice) });
    await h.app.request('/api/v1/tiktok/shares', {
      method: 'POST', headers: auth(alice, { 'content-type': 'application/json', 'idempotency-key': 'k2' }),
      body: JSON.stringify({ ...shareBody, userId: 'bob' }),
    });
    const inputs = h.state.calls.filter((c) => c.subject.includes('shares')).map((c) => c.input as { userId: string });
    expect(inputs).toHaveLength(2);
    for (const i of inputs) expect(i.userId).toBe('alice');
  });

  it('rejects a token signed with another secret and an expired one', async () => {
    const { SignJWT } = await import('jose');
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').sign(new TextEncoder().encode('other-secret-other-secret-other-secret'));
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(new TextEncoder().encode('test-jwt-secret-at-least-32-bytes-long!!'));
    for (const t of [forged, expired]) {
      const res = await h.app.request('/api/v1/tiktok/accounts', { headers: auth(t) });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'unauthorized', status: 401 });
    }
  });
});

describe('validation and problems', () => {
  it('400 validation_failed with paths when direct mode lacks privacyLevel', async () => {
    const { privacyLevel: _p, ...body } = shareBody;
    const res = await h.app.request('/api/v1/tiktok/shares', { method: 'POST', headers: auth(alice, { 'content-type': 'application/json', 'idempotency-key': 'k3' }), body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as { code: string; errors: Array<{ path: string }>; requestId: string };
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((e) => e.path)).toContain('body.privacyLevel');
    expect(problem.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('400 when the Idempotency-Key header is missing, or the body is not JSON', async () => {
    const noKey = await h.app.request('/api/v1/tiktok/shares', { method: 'POST', headers: auth(alice, { 'content-type': 'application/json' }), body: JSON.stringify(shareBody) });
    expect(((await noKey.json()) as { errors: Array<{ path: string }> }).errors[0]!.path).toBe('headers.idempotency-key');
    const notJson = await h.app.request('/api/v1/tiktok/shares', { method: 'POST', headers: auth(alice, { 'idempotency-key': 'k' }), body: '{' });
    expect(notJson.status).toBe(400);
  });

  it('400 invalid_return_to for an absolute returnTo', async () => {
    const res = await h.app.request('/api/v1/tiktok/auth/url?returnTo=https://evil.example/', { headers: auth(alice) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_return_to' });
  });

  it('413 payload_too_large over the body limit', async () => {
    const res = await h.app.request('/api/v1/tiktok/shares', {
      method: 'POST', headers: auth(alice, { 'content-type': 'application/json', 'idempotency-key': 'k4' }),
      body: JSON.stringify({ ...shareBody, title: 'x'.repeat(70_000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload_too_large' });
  });

  it('returns the same share for the same idempotency key', async () => {
    const post = () => h.app.request('/api/v1/tiktok/shares', { method: 'POST', headers: auth(alice, { 'content-type': 'application/json', 'idempotency-key': 'same' }), body: JSON.stringify(shareBody) });
    const [a, b] = [await (await post()).json(), await (await post()).json()] as Array<{ shareId: string }>;
    expect(a!.shareId).toBe(b!.shareId);
  });

  it('unknown routes are problem+json 404', async () => {
    const res = await h.app.request('/api/v1/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'not_found' });
  });

  it('the OAuth callback redirects without a bearer', async () => {
    const res = await h.app.request('/api/v1/tiktok/auth/callback?state=s&error=access_denied');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/?tiktok=error&code=access_denied');
  });

  it('CORS answers configured origins only', async () => {
    const ok = await h.app.request('/api/v1/tiktok/accounts', { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const other = await h.app.request('/api/v1/tiktok/accounts', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('quota', () => {
  it('asks auth for the openId, then quota by openId', async () => {
    const res = await h.app.request('/api/v1/tiktok/quota?accountId=a1', { headers: auth(alice) });
    expect(await res.json()).toMatchObject({ daily: { remaining: 12 }, drafts: { pending: 1 } });
    const quotaCall = h.state.calls.find((c) => c.subject === 'tiktok.rpc.quota.status');
    expect(quotaCall?.input).toEqual({ openId: 'open-a1' });
  });
});

describe('webhooks', () => {
  const nowSec = 1_800_000_000;
  const post = (raw: string, header: string | undefined, app = h.app) =>
    app.request('/api/v1/tiktok/webhooks', { method: 'POST', headers: header ? { 'tiktok-signature': header, 'content-type': 'application/json' } : {}, body: raw });
  const body = (event: string, content: object) => JSON.stringify({ client_key: 'ck', event, create_time: nowSec, user_openid: 'open-a1', content: JSON.stringify(content) });
  const forwarded = (subject: string) => h.state.calls.filter((c) => c.subject === subject);

  beforeEach(async () => {
    await h.close();
    h = await startHarness({}, () => new Date(nowSec * 1000));
  });

  it('routes a valid authorization.removed to auth once, with the sha256 dedupe id; a duplicate is ignored', async () => {
    const raw = body('authorization.removed', { reason: 1 });
    const header = signWebhook(TEST_CLIENT_SECRET, raw, nowSec - 10);
    const first = await post(raw, header);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, duplicate: false });
    const second = await post(raw, header);
    expect(await second.json()).toEqual({ received: true, duplicate: true });
    const calls = forwarded('tiktok.rpc.auth.webhook');
    expect(calls).toHaveLength(1);
    const { createHash } = await import('node:crypto');
    expect(calls[0]!.headers['webhook-dedupe-id']).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(calls[0]!.input).toMatchObject({ event: 'authorization.removed', user_openid: 'open-a1' });
    expect(forwarded('tiktok.rpc.publisher.webhook')).toHaveLength(0);
  });

  it('routes post.publish.* to the publisher', async () => {
    const raw = body('post.publish.complete', { publish_id: 'p_1', publish_type: 'DIRECT_PUBLISH' });
    expect((await post(raw, signWebhook(TEST_CLIENT_SECRET, raw, nowSec))).status).toBe(200);
    expect(forwarded('tiktok.rpc.publisher.webhook')).toHaveLength(1);
    expect(forwarded('tiktok.rpc.auth.webhook')).toHaveLength(0);
  });

  it('401 and nothing forwarded for a bad, missing or stale signature', async () => {
    const raw = body('authorization.removed', { reason: 1 });
    const bad = signWebhook('wrong-secret', raw, nowSec);
    const tampered = signWebhook(TEST_CLIENT_SECRET, raw.replace('open-a1', 'open-a2'), nowSec);
    const stale = signWebhook(TEST_CLIENT_SECRET, raw, nowSec - 301);
    for (const header of [bad, tampered, stale, undefined]) {
      const res = await post(raw, header);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'unauthorized' });
    }
    expect(h.state.calls).toHaveLength(0);
  });

  it('503 when the owning service cannot be reached, so TikTok retries', async () => {
    await h.close();
    h = await startHarness({ rpcTimeoutMs: 50 }, () => new Date(nowSec * 1000));
    await h.close(); // responders gone
    const raw = body('post.publish.failed', { publish_id: 'p', reason: 'x' });
    const res = await post(raw, signWebhook(TEST_CLIENT_SECRET, raw, nowSec));
    expect(res.status).toBe(503);
    h = await startHarness({}, () => new Date(nowSec * 1000));
  });
});

describe('admin', () => {
  const ev = (id: string, streamId: string, streamVersion: number, occurredAt: string): Envelope =>
    ({ id, type: 'X', version: 1, streamId, streamVersion, occurredAt, correlationId: 's1', causationId: null, data: {} });

  it('merges the audit of all three services by occurredAt, then stream order', async () => {
    h.state.audit.publisher = [ev('p1', 'share-s1', 1, '2026-01-01T00:00:01Z'), ev('p2', 'share-s1', 2, '2026-01-01T00:00:03Z')];
    h.state.audit.quota = [ev('q1', 'quota-o', 7, '2026-01-01T00:00:02Z')];
    h.state.audit.auth = [];
    const res = await h.app.request('/api/v1/admin/shares/s1/audit', { headers: auth(admin) });
    expect(((await res.json()) as { events: Envelope[] }).events.map((e) => e.id)).toEqual(['p1', 'q1', 'p2']);
  });

  it('rebuild asks the named service and answers 202; bad service is 400', async () => {
    const res = await h.app.request('/api/v1/admin/projections/publisher/rebuild', { method: 'POST', headers: auth(admin) });
    expect(res.status).toBe(202);
    expect(h.state.calls.map((c) => c.subject)).toContain('tiktok.rpc.publisher.admin.rebuild');
    expect((await h.app.request('/api/v1/admin/projections/billing/rebuild', { method: 'POST', headers: auth(admin) })).status).toBe(400);
  });
});

describe('health, readiness, metrics', () => {
  it('readyz is 200 when every service is healthy and 503 listing the failing one otherwise', async () => {
    const ok = await h.app.request('/readyz');
    expect(ok.status).toBe(200);
    h.state.healthy.quota = false;
    const bad = await h.app.request('/readyz');
    expect(bad.status).toBe(503);
    const body = (await bad.json()) as { services: Array<{ service: string; healthy: boolean }> };
    expect(body.services.find((s) => s.service === 'quota')?.healthy).toBe(false);
    expect(body.services.find((s) => s.service === 'auth')?.healthy).toBe(true);
  });

  it('healthz is 200 and metrics count requests by route pattern', async () => {
    expect((await h.app.request('/healthz')).status).toBe(200);
    await h.app.request('/api/v1/tiktok/shares/s1', { headers: auth(alice) });
    const text = await (await h.app.request('/metrics')).text();
    expect(text).toContain('gateway_http_requests_total{method="GET",route="/api/v1/tiktok/shares/:shareId",status="200"} 1');
  });
});
