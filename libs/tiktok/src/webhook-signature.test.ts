import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './webhook-signature.ts';

const secret = 'client-secret';
const body = '{"client_key":"k","event":"post.publish.complete","create_time":1633174587,"user_openid":"u","content":"{}"}';

describe('webhook signatures', () => {
  it('signs as hex HMAC-SHA256 of "t.body" with the client secret', () => {
    const expected = createHmac('sha256', secret).update(`1633174587.${body}`).digest('hex');
    expect(signWebhook(secret, body, 1633174587)).toBe(`t=1633174587,s=${expected}`);
  });

  it('verifies its own signature within tolerance, on string or bytes', () => {
    const header = signWebhook(secret, body, 1000);
    expect(verifyWebhookSignature(secret, body, header, 1100)).toBe(true);
    expect(verifyWebhookSignature(secret, new TextEncoder().encode(body), header, 1300)).toBe(true);
  });

  it('refuses a stale or future timestamp, another secret, a changed body, garbage', () => {
    const header = signWebhook(secret, body, 1000);
    expect(verifyWebhookSignature(secret, body, header, 1301)).toBe(false);
    expect(verifyWebhookSignature(secret, body, header, 699)).toBe(false);
    expect(verifyWebhookSignature('other', body, header, 1000)).toBe(false);
    expect(verifyWebhookSignature(secret, `${body} `, header, 1000)).toBe(false);
    for (const bad of [undefined, '', 't=1000', 's=abc', 't=x,s=00', `t=1000,s=${'0'.repeat(64)}`]) {
      expect(verifyWebhookSignature(secret, body, bad, 1000)).toBe(false);
    }
  });
});
