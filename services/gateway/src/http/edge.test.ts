/**
 * The edge middleware must send exactly the headers hono's requestId() + cors() sent before it
 * replaced them (expected values recorded from that version), on context-built responses, on
 * problem+json built outside the context, and on preflights.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../testing/harness.ts';
import { stubAccount, stubShare } from '../testing/stub-services.ts';

let h: Harness;
let token: string;

beforeEach(async () => {
  h = await startHarness({ corsOrigins: ['https://app.example'] });
  h.state.accounts.set('a1', stubAccount('u', 'a1'));
  h.state.shares.set('s1', stubShare('u', 's1', 'a1'));
  token = await h.token('u');
});
afterEach(() => h.close());

/** Headers except x-request-id, sorted, as `name=value`; plus what x-request-id looked like. */
async function call(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const res = await h.app.request(path, { method, headers, ...(body ? { body } : {}) });
  const rid = res.headers.get('x-request-id');
  const text = await res.text();
  return {
    status: res.status,
    rid: rid === null ? 'none' : /^[0-9a-f-]{36}$/.test(rid) ? 'uuid' : rid,
    headers: [...res.headers].filter(([k]) => k !== 'x-request-id').map(([k, v]) => `${k}=${v}`).sort(),
    bodyRid: text.includes('"requestId"') ? (JSON.parse(text) as { requestId: string }).requestId : undefined,
    ridRaw: rid,
  };
}

const EXPOSE = 'access-control-expose-headers=x-request-id';
const ALLOW = 'access-control-allow-origin=https://app.example';

describe('edge headers', () => {
  it('a JSON answer carries the request id and the CORS headers; an allowed origin is echoed', async () => {
    const bearer = `Bearer ${token}`;
    expect(await call('GET', '/api/v1/tiktok/shares/s1', { authorization: bearer })).toMatchObject({
      status: 200, rid: 'uuid', headers: [EXPOSE, 'content-type=application/json', 'vary=Origin'],
    });
    expect(await call('GET', '/api/v1/tiktok/shares/s1', { authorization: bearer, origin: 'https://app.example', 'x-request-id': 'abc' })).toMatchObject({
      status: 200, rid: 'abc', headers: [ALLOW, EXPOSE, 'content-type=application/json', 'vary=Origin'],
    });
    expect(await call('GET', '/api/v1/tiktok/shares/s1', { authorization: bearer, origin: 'https://evil.example', 'x-request-id': 'bad id!' })).toMatchObject({
      status: 200, rid: 'uuid', headers: [EXPOSE, 'content-type=application/json', 'vary=Origin'],
    });
  });

  it('problem+json from onError and notFound gets the same headers, and the body names the same request id', async () => {
    const problems = [
      await call('GET', '/api/v1/tiktok/shares/nope', { authorization: `Bearer ${token}`, origin: 'https://app.example' }),
      await call('GET', '/api/v1/tiktok/shares/s1'),
      await call('GET', '/api/v1/nothing', { authorization: `Bearer ${token}` }),
      await call('POST', '/api/v1/tiktok/shares', { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'k1234567' }, '{"bad":1}'),
    ];
    expect(problems.map((p) => p.status)).toEqual([404, 401, 404, 400]);
    expect(problems[0]!.headers).toEqual([ALLOW, EXPOSE, 'content-type=application/problem+json', 'vary=Origin']);
    for (const p of problems.slice(1)) expect(p.headers).toEqual([EXPOSE, 'content-type=application/problem+json', 'vary=Origin']);
    for (const p of problems) expect(p.bodyRid).toBe(p.ridRaw);
  });

  it('outside /api there are no CORS headers; bodiless and redirect answers keep theirs', async () => {
    expect(await call('GET', '/nothing')).toMatchObject({ status: 404, rid: 'uuid', headers: ['content-type=application/problem+json'] });
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200, rid: 'uuid', headers: ['content-type=application/json'] });
    expect(await call('DELETE', '/api/v1/tiktok/accounts/a1', { authorization: `Bearer ${token}` })).toMatchObject({ status: 204, headers: [EXPOSE, 'vary=Origin'] });
    expect(await call('GET', '/api/v1/tiktok/auth/callback?state=x&code=y')).toMatchObject({
      status: 302, headers: [EXPOSE, 'location=/?tiktok=connected&accountId=a1', 'vary=Origin'],
    });
  });

  it('a preflight is answered by cors() with the allow lists', async () => {
    const allow = ['access-control-allow-headers=authorization,content-type,idempotency-key', 'access-control-allow-methods=GET,POST,DELETE,OPTIONS'];
    const vary = 'vary=Origin, Access-Control-Request-Headers';
    expect(await call('OPTIONS', '/api/v1/tiktok/accounts', { origin: 'https://app.example', 'access-control-request-method': 'GET' })).toMatchObject({
      status: 204, rid: 'uuid', headers: [...allow, ALLOW, EXPOSE, vary],
    });
    expect(await call('OPTIONS', '/api/v1/tiktok/accounts', { origin: 'https://evil.example', 'access-control-request-method': 'GET' })).toMatchObject({
      status: 204, rid: 'uuid', headers: [...allow, EXPOSE, vary],
    });
  });

  it('metrics count each answer once under its route pattern and status', async () => {
    await call('GET', '/api/v1/tiktok/shares/s1', { authorization: `Bearer ${token}` });
    await call('GET', '/api/v1/tiktok/shares/s1', { authorization: `Bearer ${token}` });
    await call('OPTIONS', '/api/v1/tiktok/accounts', { origin: 'https://app.example', 'access-control-request-method': 'GET' });
    const text = await (await h.app.request('/metrics')).text();
    expect(text).toContain('gateway_http_requests_total{method="GET",route="/api/v1/tiktok/shares/:shareId",status="200"} 2');
    expect(text).toMatch(/gateway_http_requests_total\{method="OPTIONS",route="[^"]*",status="204"\} 1/);
    expect(text).toContain('gateway_http_request_duration_seconds_count{method="GET",route="/api/v1/tiktok/shares/:shareId",status="200"} 2');
  });
});
