/**
 * TikTok webhook signature check (tiktok-api.md §7.4):
 *   header `TikTok-Signature: t=<epoch s>,s=<hex hmac>`;
 *   expected = hex(HMAC_SHA256(client_secret, `${t}.` + raw body bytes)).
 * Verified over the RAW bytes before any JSON parsing: re-serialising would change the bytes and
 * break the MAC. The compare is constant time; the timestamp check comes after the MAC check so a
 * forged header learns nothing about our clock tolerance.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Five minutes, what TikTok's own clients use (the docs leave the window to the app). */
export const DEFAULT_TOLERANCE_SEC = 300;

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing_signature' | 'malformed_signature' | 'bad_signature' | 'stale_timestamp' };

/** Split `t=..,s=..` into its parts; unknown keys are ignored, duplicates keep the first. */
export function parseSignatureHeader(header: string): { t?: string; s?: string } {
  const out: { t?: string; s?: string } = {};
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if ((key === 't' || key === 's') && out[key] === undefined) out[key] = value;
  }
  return out;
}

/** Compute the signature TikTok would send for `raw` at `timestampSec` (also used by tests). */
export function signWebhook(raw: Uint8Array | string, secret: string, timestampSec: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSec}.`).update(raw).digest('hex');
  return `t=${timestampSec},s=${mac}`;
}

/**
 * @example
 * const r = verifyWebhookSignature(raw, req.headers.get('tiktok-signature'), secret, Date.now() / 1000);
 * if (!r.ok) return 401;
 */
export function verifyWebhookSignature(
  raw: Uint8Array,
  header: string | null | undefined,
  secret: string,
  nowSec: number,
  toleranceSec = DEFAULT_TOLERANCE_SEC,
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing_signature' };
  const { t, s } = parseSignatureHeader(header);
  if (!t || !s || !/^\d{1,12}$/.test(t) || !/^[0-9a-fA-F]{64}$/.test(s)) return { ok: false, reason: 'malformed_signature' };
  const expected = createHmac('sha256', secret).update(`${t}.`).update(raw).digest();
  const given = Buffer.from(s, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  const timestamp = Number(t);
  if (Math.abs(nowSec - timestamp) > toleranceSec) return { ok: false, reason: 'stale_timestamp' };
  return { ok: true, timestamp };
}
