/** The JWKS path of the gateway's JWT verifier, against a local identity provider over real HTTP. */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier } from './auth.ts';

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

const sign = (key: CryptoKey, claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuedAt().setExpirationTime('5m').sign(key);

describe('createJwtVerifier with a JWKS URL', () => {
  it('verifies tokens against keys fetched from the JWKS endpoint', async () => {
    const verify = createJwtVerifier({ jwksUrl });
    const principal = await verify(`Bearer ${await sign(signingKey, { sub: 'user-9', roles: ['admin'] })}`);
    expect(principal).toEqual({ userId: 'user-9', roles: ['admin'] });
    expect(jwksHits).toBeGreaterThanOrEqual(1);
  });

  it('rejects a token signed by a key not in the set, an HS256 token, a token without sub and no token', async () => {
    const verify = createJwtVerifier({ jwksUrl });
    const other = (await generateKeyPair('ES256')).privateKey;
    const hs = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode('x'.repeat(32)));
    for (const header of [`Bearer ${await sign(other, { sub: 'u' })}`, `Bearer ${hs}`, `Bearer ${await sign(signingKey, {})}`, undefined, 'Basic abc']) {
      await expect(verify(header)).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    }
  });
});
