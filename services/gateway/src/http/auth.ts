/**
 * Bearer JWT verification with jose: HS256 with a shared secret, or any JWKS-published key.
 * `sub` is the platform user id; `roles` containing `admin` opens the admin routes. The user id
 * handed to services always comes from here, never from the request body or query.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { unauthorized } from '@tiktok-share/platform/errors.ts';

export interface Principal {
  userId: string;
  roles: string[];
}

export interface JwtConfig {
  jwtSecret?: string | undefined;
  jwksUrl?: string | undefined;
}

export type VerifyBearer = (authorization: string | undefined) => Promise<Principal>;

/**
 * @example
 * const verify = createJwtVerifier({ jwtSecret: 'dev' }); const p = await verify('Bearer ey...');
 */
export function createJwtVerifier(config: JwtConfig, now: () => number = Date.now): VerifyBearer {
  const key = resolveKey(config);
  // Verified tokens are cached until their own expiry (bounded): a token string that verified once
  // verifies again until `exp`, so the HMAC / JWKS work is done once per token, not per request.
  const cache = new Map<string, { principal: Principal; expMs: number }>();
  return async (authorization) => {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw unauthorized();
    const hit = cache.get(token);
    if (hit && hit.expMs > now()) return hit.principal;
    const principal = await verify(token, key);
    if (cache.size >= 10_000) cache.delete(cache.keys().next().value as string);
    cache.set(token, { principal: principal.principal, expMs: principal.expMs });
    return principal.principal;
  };
}

async function verify(token: string, key: Uint8Array | JWTVerifyGetKey): Promise<{ principal: Principal; expMs: number }> {
  try {
    const { payload } = await (typeof key === 'function'
      ? jwtVerify(token, key)
      : jwtVerify(token, key, { algorithms: ['HS256'] }));
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new Error('no sub');
    const roles = Array.isArray(payload['roles']) ? payload['roles'].filter((r): r is string => typeof r === 'string') : [];
    // No exp: re-verify after a minute anyway (cheap bound on how long a cache entry lives).
    const expMs = Math.min(typeof payload.exp === 'number' ? payload.exp * 1000 : Infinity, Date.now() + 60_000);
    return { principal: { userId: payload.sub, roles }, expMs };
  } catch {
    // Which check failed (expiry, signature, shape) is not the caller's business.
    throw unauthorized();
  }
}

function resolveKey(config: JwtConfig): Uint8Array | JWTVerifyGetKey {
  if (config.jwksUrl) return createRemoteJWKSet(new URL(config.jwksUrl));
  if (config.jwtSecret) return new TextEncoder().encode(config.jwtSecret);
  throw new Error('gateway needs jwtSecret or jwksUrl');
}

/** Mint an HS256 token (dev demo user, tests). */
export async function signDevToken(secret: string, sub: string, roles: string[] = [], ttlSec = 12 * 3600): Promise<string> {
  const { SignJWT } = await import('jose');
  return new SignJWT({ roles })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(`${ttlSec}s`)
    .sign(new TextEncoder().encode(secret));
}
