/**
 * TikTok webhook signatures (webhooks-verification): header
 * `TikTok-Signature: t=<epoch seconds>,s=<hex HMAC-SHA256(client_secret, t + "." + rawBody)>`.
 * Shared by the emulator (signing) and the gateway (verifying) so both read the doc the same way.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_SIGNATURE_HEADER = 'TikTok-Signature';

function hmacHex(secret: string, tSec: number | string, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${tSec}.`).update(body).digest('hex');
}

/**
 * Builds the `TikTok-Signature` header value for a raw body.
 * @example signWebhook('secret', '{"event":"post.publish.complete"}', 1633174587) // → 't=1633174587,s=1849…'
 */
export function signWebhook(secret: string, body: string | Uint8Array, tSec: number): string {
  return `t=${tSec},s=${hmacHex(secret, tSec, body)}`;
}

/**
 * Verifies a `TikTok-Signature` header against the RAW body (before any JSON parsing), in
 * constant time, and checks `|now - t| ≤ toleranceSec`. Returns false for anything malformed.
 * @example verifyWebhookSignature(secret, rawBody, req.header('tiktok-signature'), Math.floor(Date.now() / 1000))
 */
export function verifyWebhookSignature(
  secret: string,
  rawBody: string | Uint8Array,
  header: string | null | undefined,
  nowSec: number,
  toleranceSec = 300,
): boolean {
  if (!header) return false;
  const parts = new Map<string, string>();
  for (const element of header.split(',')) {
    const eq = element.indexOf('=');
    if (eq > 0) parts.set(element.slice(0, eq).trim(), element.slice(eq + 1).trim());
  }
  const t = parts.get('t');
  const s = parts.get('s');
  if (!t || !s || !/^\d{1,12}$/.test(t) || !/^[0-9a-f]{64}$/i.test(s)) return false;
  const expected = Buffer.from(hmacHex(secret, t, rawBody), 'hex');
  const given = Buffer.from(s, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(expected, given)) return false;
  return Math.abs(nowSec - Number(t)) <= toleranceSec;
}
