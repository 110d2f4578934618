/**
 * Platform JWT verification (jose): HS256 with a shared secret, or asymmetric keys from a JWKS
 * URL (cached and refreshed by jose). `sub` is the platform user id; `roles` containing `admin`
 * opens admin routes. Every failure is the same 401 so clients learn nothing about why.
 */
import type { MiddlewareHandler } from 'hono';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { forbidden, unauthorized } from './errors.ts';

export interface AuthUser {
  id: string;
  roles: string[];
}

/** Hono env for apps using these middlewares. */
export interface AuthEnv {
  Variables: { user: AuthUser; requestId: string };
}

export interface JwtAuthOptions {
  /** HS256 shared secret (GATEWAY_JWT_SECRET). */
  secret?: string | undefined;
  /** JWKS URL (GATEWAY_JWKS_URL); wins over `secret` when both are set. */
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
  clockToleranceSec?: number | undefined;
  /**
   * Also accept the token from this query parameter when no header is sent — for EventSource
   * (SSE), which cannot set headers. Off unless named.
   */
  queryParam?: string | undefined;
}

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

type Verifier = (token: string) => Promise<JWTPayload>;

function createVerifier(opts: JwtAuthOptions): Verifier {
  const claims = {
    ...(opts.issuer ? { issuer: opts.issuer } : {}),
    ...(opts.audience ? { audience: opts.audience } : {}),
    clockTolerance: opts.clockToleranceSec ?? 5,
  };
  if (opts.jwksUrl) {
    const jwks: JWTVerifyGetKey = createRemoteJWKSet(new URL(opts.jwksUrl));
    return async (token) => (await jwtVerify(token, jwks, { ...claims, algorithms: ASYMMETRIC })).payload;
  }
  if (opts.secret) {
    const key = new TextEncoder().encode(opts.secret);
    // Pin HS256: never let the token pick its algorithm.
    return async (token) => (await jwtVerify(token, key, { ...claims, algorithms: ['HS256'] })).payload;
  }
  throw new Error('jwtAuth needs a secret or a jwksUrl');
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

function rolesOf(payload: JWTPayload): string[] {
  const roles = payload.roles;
  if (Array.isArray(roles)) return roles.filter((r): r is string => typeof r === 'string');
  if (typeof roles === 'string') return roles.split(/[\s,]+/).filter(Boolean);
  return [];
}

/**
 * Require a valid bearer JWT; sets `c.var.user = { id: sub, roles }`.
 * @example app.use('/api/v1/*', jwtAuth({ secret: config.jwt.secret, jwksUrl: config.jwt.jwksUrl }));
 */
export function jwtAuth(opts: JwtAuthOptions): MiddlewareHandler<AuthEnv> {
  const verify = createVerifier(opts);
  return async (c, next) => {
    const token = bearer(c.req.header('authorization')) ?? (opts.queryParam ? c.req.query(opts.queryParam) : undefined);
    if (!token) throw unauthorized();
    let payload: JWTPayload;
    try {
      payload = await verify(token);
    } catch (err) {
      throw unauthorized('The bearer token is invalid or expired', err);
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw unauthorized('The bearer token has no subject');
    c.set('user', { id: payload.sub, roles: rolesOf(payload) });
    await next();
  };
}

/**
 * After `jwtAuth`: only users whose roles contain `admin` pass; others get 403 `forbidden`.
 * @example app.use('/api/v1/admin/*', requireAdmin());
 */
export function requireAdmin(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const user = c.get('user') as AuthUser | undefined;
    if (!user) throw unauthorized();
    if (!user.roles.includes('admin')) throw forbidden('This route is for administrators');
    await next();
  };
}
