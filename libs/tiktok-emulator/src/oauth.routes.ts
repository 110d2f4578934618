/**
 * Login Kit: authorize page, token endpoint (both grants), revoke. Strict: form-encoded only,
 * redirect URI must match, codes single use, refresh tokens rotate (old one dies, TOK26).
 */
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { TEST_CREATORS, getCreator } from './creators.ts';
import { applyFault } from './guards.ts';
import { authorizePage, errorPage } from './authorize-page.ts';
import { oauthError } from './respond.ts';
import type { EmulatorState } from './state.ts';

export const KNOWN_SCOPES = ['user.info.basic', 'user.info.profile', 'user.info.stats', 'video.list', 'video.publish', 'video.upload'];

function token(prefix: string): string {
  return `${prefix}.${randomBytes(24).toString('base64url')}`;
}

function redirectAllowed(state: EmulatorState, uri: string): boolean {
  if (state.settings.redirectUris.length > 0) return state.settings.redirectUris.includes(uri);
  return /^https?:\/\/[^#]+$/.test(uri);
}

function redirectTo(uri: string, params: Record<string, string>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

function authorize(c: Context, state: EmulatorState): Response {
  const q = (name: string) => c.req.query(name) ?? '';
  if (q('client_key') !== state.settings.clientKey) return errorPage(c, 'client_key is not a registered app');
  if (q('response_type') !== 'code') return errorPage(c, 'response_type must be code');
  const redirectUri = q('redirect_uri');
  if (!redirectAllowed(state, redirectUri)) return errorPage(c, 'redirect_uri is not registered for this app');
  const stateParam = q('state');
  const requested = q('scope').split(',').filter(Boolean);
  if (requested.length === 0 || requested.some((s) => !KNOWN_SCOPES.includes(s))) {
    return c.redirect(redirectTo(redirectUri, { error: 'invalid_scope', error_description: 'The scope is invalid.', state: stateParam }));
  }
  const creator = q('creator').trim();
  const consent = q('consent');
  if (!creator || (consent !== 'allow' && consent !== 'deny')) return authorizePage(c, TEST_CREATORS);
  if (consent === 'deny') {
    return c.redirect(redirectTo(redirectUri, { error: 'access_denied', error_description: 'The user denied the authorization.', state: stateParam }));
  }
  // Toggleable scopes may be unticked by the user: `granted_scopes` simulates that.
  const granted = q('granted_scopes') ? q('granted_scopes').split(',').filter((s) => requested.includes(s)) : requested;
  getCreator(state, creator);
  const code = token('code');
  state.codes.set(code, { code, openId: creator, scopes: granted, redirectUri, expiresAt: state.now() + state.settings.codeTtlSec * 1000, used: false });
  return c.redirect(redirectTo(redirectUri, { code, scopes: granted.join(','), state: stateParam }));
}

/** `now` is passed in so expires_in / refresh_expires_in are exact (one clock read per request). */
function issueTokens(state: EmulatorState, now: number, openId: string, scopes: string[], refreshExpiresAt: number): Response {
  const access = token('act');
  const refresh = token('rft');
  state.accessTokens.set(access, { token: access, openId, scopes, expiresAt: now + state.settings.accessTokenTtlSec * 1000, revoked: false });
  state.refreshTokens.set(refresh, { token: refresh, openId, scopes, expiresAt: refreshExpiresAt, active: true });
  state.grants.set(openId, { scopes, active: true });
  return Response.json({
    access_token: access,
    expires_in: state.settings.accessTokenTtlSec,
    open_id: openId,
    refresh_expires_in: Math.max(0, Math.floor((refreshExpiresAt - now) / 1000)),
    refresh_token: refresh,
    scope: scopes.join(','),
    token_type: 'Bearer',
  });
}

function codeGrant(state: EmulatorState, form: URLSearchParams): Response {
  const code = form.get('code');
  if (!code) return oauthError(state, 'invalid_request', 'The request parameters are malformed.');
  const entry = state.codes.get(code);
  if (!entry || entry.used || entry.expiresAt <= state.now()) return oauthError(state, 'invalid_grant', 'Authorization code is expired.');
  if (form.get('redirect_uri') !== entry.redirectUri) {
    return oauthError(state, 'invalid_request', 'Redirect_uri is not matched with the uri when requesting code.');
  }
  entry.used = true; // single use, even if something below fails
  const now = state.now();
  return issueTokens(state, now, entry.openId, entry.scopes, now + state.settings.refreshTokenTtlSec * 1000);
}

function refreshGrant(state: EmulatorState, form: URLSearchParams): Response {
  const value = form.get('refresh_token');
  if (!value) return oauthError(state, 'invalid_request', 'The request parameters are malformed.');
  const entry = state.refreshTokens.get(value);
  if (!entry || !entry.active || entry.expiresAt <= state.now() || state.grants.get(entry.openId)?.active === false) {
    return oauthError(state, 'invalid_grant', 'Refresh token is invalid or expired.');
  }
  entry.active = false; // rotation: the previous refresh token stops working now
  // The refresh window counts from the first issuance ("after the initial issuance", TOK).
  return issueTokens(state, state.now(), entry.openId, entry.scopes, entry.expiresAt);
}

async function readForm(c: Context, state: EmulatorState): Promise<URLSearchParams | Response> {
  const type = c.req.header('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return oauthError(state, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded.');
  }
  const form = new URLSearchParams(await c.req.text());
  if (form.get('client_key') !== state.settings.clientKey || form.get('client_secret') !== state.settings.clientSecret) {
    return oauthError(state, 'invalid_client', 'Client key or secret is invalid.');
  }
  return form;
}

async function tokenEndpoint(c: Context, state: EmulatorState): Promise<Response> {
  const fault = await applyFault(c, state, 'token');
  if (fault) return fault;
  const form = await readForm(c, state);
  if (form instanceof Response) return form;
  switch (form.get('grant_type')) {
    case 'authorization_code':
      return codeGrant(state, form);
    case 'refresh_token':
      return refreshGrant(state, form);
    default:
      return oauthError(state, 'unsupported_grant_type', 'The grant type is not supported.');
  }
}

/** Ends a user's authorization: every token dies. */
export function revokeGrant(state: EmulatorState, openId: string): void {
  const grant = state.grants.get(openId);
  if (grant) grant.active = false;
  for (const t of state.accessTokens.values()) if (t.openId === openId) t.revoked = true;
  for (const t of state.refreshTokens.values()) if (t.openId === openId) t.active = false;
}

async function revokeEndpoint(c: Context, state: EmulatorState): Promise<Response> {
  const fault = await applyFault(c, state, 'revoke');
  if (fault) return fault;
  const form = await readForm(c, state);
  if (form instanceof Response) return form;
  const entry = state.accessTokens.get(form.get('token') ?? '');
  // An expired access token is refused as unknown (reference §1.5): refresh first.
  if (!entry || entry.revoked || entry.expiresAt <= state.now()) return oauthError(state, 'invalid_request', 'The token is invalid.');
  revokeGrant(state, entry.openId);
  return Response.json({});
}

/** The Login Kit routes. */
export function oauthRoutes(state: EmulatorState): Hono {
  const app = new Hono();
  app.get('/v2/auth/authorize/', (c) => authorize(c, state));
  app.post('/v2/oauth/token/', (c) => tokenEndpoint(c, state));
  app.post('/v2/oauth/revoke/', (c) => revokeEndpoint(c, state));
  return app;
}
