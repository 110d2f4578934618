/**
 * The edge headers over real HTTP through @hono/node-server, whose lightweight Response is what
 * the edge middleware keeps on the fast path (app.request in edge.test.ts uses undici's Response).
 */
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../testing/harness.ts';
import { stubAccount, stubShare } from '../testing/stub-services.ts';

let h: Harness;
let server: ServerType;
let origin: string;
let bearer: string;

beforeAll(async () => {
  h = await startHarness({ corsOrigins: ['https://app.example'] });
  h.state.accounts.set('a1', stubAccount('u', 'a1'));
  h.state.shares.set('s1', stubShare('u', 's1', 'a1'));
  bearer = `Bearer ${await h.token('u')}`;
  await new Promise<void>((resolve) => {
    server = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      origin = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await h.close();
});

describe('edge headers through @hono/node-server', () => {
  it('a share view carries request id, CORS headers and the JSON body', async () => {
    const res = await fetch(`${origin}/api/v1/tiktok/shares/s1`, { headers: { authorization: bearer, origin: 'https://app.example', 'x-request-id': 'r-1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('r-1');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-expose-headers')).toBe('x-request-id');
    expect(res.headers.get('vary')).toBe('Origin');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ shareId: 's1', accountId: 'a1', status: 'uploading' });
  });

  it('a problem built outside the context gets the same headers once', async () => {
    const res = await fetch(`${origin}/api/v1/tiktok/shares/nope`, { headers: { authorization: bearer } });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { code: string; requestId: string };
    expect(body.code).toBe('not_found');
    expect(res.headers.get('x-request-id')).toBe(body.requestId);
    expect(res.headers.get('access-control-expose-headers')).toBe('x-request-id');
    expect(res.headers.get('vary')).toBe('Origin');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});
