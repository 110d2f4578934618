/**
 * OAuth `state`: 256 random bits (base64url), stored only as its SHA-256 (a leaked table can't
 * be replayed), single use, 10 minutes, bound to the platform user who asked.
 * Randomness and time are passed in so this file stays pure.
 */
import { createHash } from 'node:crypto';

export const STATE_BYTES = 32;
export const STATE_TTL_MS = 10 * 60 * 1000;

/** base64url of the given random bytes (32 of them → 43 chars). */
export function encodeState(random: Uint8Array): string {
  if (random.length !== STATE_BYTES) throw new Error(`state needs ${STATE_BYTES} random bytes`);
  return Buffer.from(random).toString('base64url');
}

/** What we store and look up: hex SHA-256 of the state string. */
export function hashState(state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('hex');
}

/** A well-formed state is exactly 43 base64url chars; anything else is forged without a lookup. */
export function isWellFormedState(state: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(state);
}

/**
 * Only same-origin relative paths: `/x`, not `//evil`, `/\evil`, `https://…`, nor control chars
 * (browsers strip tabs/newlines and would turn `/\t/evil` into `//evil`).
 */
export function isSafeReturnTo(returnTo: string): boolean {
  if (!returnTo.startsWith('/') || returnTo.length > 2048) return false;
  if (returnTo.startsWith('//') || returnTo.startsWith('/\\')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(returnTo)) return false;
  try {
    const base = 'http://placeholder.invalid';
    return new URL(returnTo, base).origin === base;
  } catch {
    return false;
  }
}

/** Append `tiktok=…` result parameters to a (validated) relative path, keeping its own query. */
export function withResult(returnTo: string, params: Record<string, string>): string {
  const url = new URL(isSafeReturnTo(returnTo) ? returnTo : '/', 'http://placeholder.invalid');
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return `${url.pathname}${url.search}${url.hash}`;
}

/** OAuth error values we pass through as redirect codes; anything else becomes `authorization_failed`. */
const KNOWN_ERRORS = new Set(['access_denied', 'invalid_scope', 'unauthorized_client', 'server_error', 'temporarily_unavailable']);

export function callbackErrorCode(error: string): string {
  return KNOWN_ERRORS.has(error) ? error : 'authorization_failed';
}
