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
export function createJwtVerifier(config: JwtConfig): VerifyBearer {
  const key = resolveKey(config);
  return async (authorization) => {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw unauthorized();
    try {
      const { payload } = await (typeof key === 'function'
        ? jwtVerify(token, key)
        : jwtVerify(token, key, { algorithms: ['HS256'] }));
      if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new Error('no sub');
      const roles = Array.isArray(payload['roles']) ? payload['roles'].filter((r): r is string => typeof r === 'string') : [];
      return { userId: payload.sub, roles };
    } catch {
      // Which check failed (expiry, signature, shape) is not the caller's business.
      throw unauthorized();
    }
  };
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
