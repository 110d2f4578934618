/** Per-request checks shared by the API routes: injected faults, bearer tokens, scopes, rate limits. */
import type { Context } from 'hono';
import { apiError, oauthError } from './respond.ts';
import { recordViolation, type AccessToken, type EmulatorState, type FaultEndpoint, type RateEndpoint } from './state.ts';

const MINUTE_MS = 60_000;

type NodeEnv = { incoming?: { socket?: { destroy(): void } } } | undefined;

function faultResponse(state: EmulatorState, endpoint: FaultEndpoint, status: number): Response {
  if (endpoint === 'upload') return new Response(null, { status });
  if (endpoint === 'token' || endpoint === 'revoke') {
    return oauthError(state, status >= 500 ? 'server_error' : 'temporarily_unavailable', `injected fault ${status}`);
  }
  const code = status === 429 ? 'rate_limit_exceeded' : status === 401 ? 'access_token_invalid' : status >= 500 ? 'internal_error' : 'invalid_params';
  return apiError(state, status, code, `injected fault ${status}`);
}

/**
 * Applies the first matching injected fault (delay, status, connection reset), consuming one of
 * its `times`. Returns the response to send instead, or null to carry on.
 */
export async function applyFault(c: Context, state: EmulatorState, endpoint: FaultEndpoint): Promise<Response | null> {
  const fault = state.faults.find((f) => f.endpoint === endpoint && f.times > 0);
  if (!fault) return null;
  fault.times -= 1;
  if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
  if (fault.reset) {
    // Only under @hono/node-server do we own a socket; in-memory requests get a thrown error.
    const socket = (c.env as NodeEnv)?.incoming?.socket;
    if (socket) socket.destroy();
    throw new Error('connection reset (injected fault)');
  }
  return fault.status ? faultResponse(state, endpoint, fault.status) : null;
}

/** The live access token of the request, or the 401 to answer. */
export function authenticate(c: Context, state: EmulatorState): AccessToken | Response {
  const header = c.req.header('authorization') ?? '';
  const m = /^Bearer (\S+)$/i.exec(header);
  const token = m?.[1] ? state.accessTokens.get(m[1]) : undefined;
  if (!token || token.revoked || token.expiresAt <= state.now()) {
    return apiError(state, 401, 'access_token_invalid', 'The access token is invalid or not found in the request.');
  }
  return token;
}

/** 401 scope_not_authorized unless the token carries one of `scopes`. */
export function requireScope(state: EmulatorState, token: AccessToken, ...scopes: string[]): Response | null {
  if (scopes.some((s) => token.scopes.includes(s))) return null;
  return apiError(state, 401, 'scope_not_authorized', `The user did not authorize the scope required: ${scopes.join(' or ')}.`);
}

/**
 * Per-token sliding one-minute window (reference §5). Every request that passes counts; a
 * refused one does not, and is recorded as a `rate_limit` violation.
 */
export function rateLimit(state: EmulatorState, token: AccessToken, endpoint: RateEndpoint): Response | null {
  const key = `${token.token}|${endpoint}`;
  const now = state.now();
  const times = (state.rateWindows.get(key) ?? []).filter((t) => t > now - MINUTE_MS);
  const limit = state.settings.rateLimits[endpoint];
  if (times.length >= limit) {
    state.rateWindows.set(key, times);
    recordViolation(state, 'rate_limit', endpoint, `request ${limit + 1} within one minute for open_id ${token.openId} (limit ${limit})`);
    return apiError(state, 429, 'rate_limit_exceeded', 'API rate limit was exceeded, only 6 requests are allowed per minute.'.replace('6', String(limit)));
  }
  times.push(now);
  state.rateWindows.set(key, times);
  return null;
}

/** Reads a JSON object body, or null when it is not one. */
export async function jsonBody(c: Context): Promise<Record<string, unknown> | null> {
  try {
    const body: unknown = await c.req.json();
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
