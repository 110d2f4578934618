import { describe, expect, it } from 'vitest';
import { parseSignatureHeader, signWebhook, verifyWebhookSignature } from './signature.ts';

const secret = 'client-secret';
const raw = new TextEncoder().encode('{"event":"post.publish.complete"}');

describe('verifyWebhookSignature', () => {
  it('accepts a signature computed over t + "." + raw body', () => {
    const header = signWebhook(raw, secret, 1_700_000_000);
    expect(verifyWebhookSignature(raw, header, secret, 1_700_000_010)).toEqual({ ok: true, timestamp: 1_700_000_000 });
  });

  it('matches the documented construction byte for byte', async () => {
    const { createHmac } = await import('node:crypto');
    const mac = createHmac('sha256', secret).update('1633174587.' + new TextDecoder().decode(raw)).digest('hex');
    expect(signWebhook(raw, secret, 1633174587)).toBe(`t=1633174587,s=${mac}`);
  });

  it('rejects another secret, another body and a missing header', () => {
    const header = signWebhook(raw, secret, 100);
    expect(verifyWebhookSignature(raw, header, 'other', 100)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhookSignature(new TextEncoder().encode('{}'), header, secret, 100)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhookSignature(raw, undefined, secret, 100)).toEqual({ ok: false, reason: 'missing_signature' });
  });

  it('rejects timestamps outside the 5-minute tolerance either way', () => {
    const header = signWebhook(raw, secret, 1000);
    expect(verifyWebhookSignature(raw, header, secret, 1300).ok).toBe(true);
    expect(verifyWebhookSignature(raw, header, secret, 1301)).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verifyWebhookSignature(raw, header, secret, 699)).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it('rejects malformed headers', () => {
    expect(verifyWebhookSignature(raw, 't=abc,s=00', secret, 0).ok).toBe(false);
    expect(verifyWebhookSignature(raw, 's=' + 'a'.repeat(64), secret, 0)).toEqual({ ok: false, reason: 'malformed_signature' });
  });

  it('parses header parts with spaces and extra keys', () => {
    expect(parseSignatureHeader(' t=1 , x=2, s=ab')).toEqual({ t: '1', s: 'ab' });
  });
});
