import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtAuth, problemJson, requestId, type AuthEnv } from './http.ts';

// A local identity provider: a JWKS document served over real HTTP, fetched by jose.
let server: ServerType;
let jwksUrl: string;
let signingKey: CryptoKey;
let jwksHits = 0;

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  signingKey = privateKey;
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const idp = new Hono();
  idp.get('/.well-known/jwks.json', (c) => {
    jwksHits += 1;
    return c.json({ keys: [jwk] });
  });
  await new Promise<void>((resolve) => {
    server = serve({ fetch: idp.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function app() {
  const a = new Hono<AuthEnv>();
  a.use('*', requestId());
  a.onError(problemJson());
  a.use('*', jwtAuth({ jwksUrl, issuer: 'https://idp.example.com' }));
  a.get('/me', (c) => c.json(c.get('user')));
  return a;
}

const sign = (key: CryptoKey, claims: Record<string, unknown>, iss = 'https://idp.example.com') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(iss).setIssuedAt().setExpirationTime('5m').sign(key);

describe('jwtAuth with a JWKS URL', () => {
  it('verifies tokens against keys fetched from the JWKS endpoint', async () => {
    const a = app();
    const res = await a.request('/me', { headers: { Authorization: `Bearer ${await sign(signingKey, { sub: 'user-9', roles: ['admin'] })}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'user-9', roles: ['admin'] });
    expect(jwksHits).toBeGreaterThanOrEqual(1);
  });

  it('rejects a token signed by a key not in the set, a wrong issuer, and an HS256 token', async () => {
    const other = (await generateKeyPair('ES256')).privateKey;
    const hs = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://idp.example.com')
      .setExpirationTime('5m').sign(new TextEncoder().encode('x'.repeat(32)));
    for (const token of [await sign(other, { sub: 'u' }), await sign(signingKey, { sub: 'u' }, 'https://evil.example.com'), hs]) {
      const res = await app().request('/me', { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'unauthorized' });
    }
  });
});
