import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenCipher, parseEncryptionKeys, TokenCipherError } from './token-cipher.ts';

const k = () => randomBytes(32).toString('base64url');

describe('token cipher', () => {
  it('round-trips and never contains the plaintext', async () => {
    const cipher = createTokenCipher(parseEncryptionKeys(k()));
    const jwe = await cipher.encrypt('act.secret-token', 'acc_1:access');
    expect(jwe).not.toContain('act.secret-token');
    expect(jwe.split('.')).toHaveLength(5);
    await expect(cipher.decrypt(jwe, 'acc_1:access')).resolves.toEqual({ plaintext: 'act.secret-token', stale: false });
  });
  it('is randomized (fresh IV each time)', async () => {
    const cipher = createTokenCipher(parseEncryptionKeys(k()));
    expect(await cipher.encrypt('x', 'c')).not.toBe(await cipher.encrypt('x', 'c'));
  });
  it('rotates: the first key encrypts, older keys still decrypt and are reported stale', async () => {
    const oldKey = k();
    const newKey = k();
    const before = createTokenCipher(parseEncryptionKeys(oldKey));
    const after = createTokenCipher(parseEncryptionKeys(`${newKey},${oldKey}`));
    const jwe = await before.encrypt('rft.1', 'acc_1:refresh');
    await expect(after.decrypt(jwe, 'acc_1:refresh')).resolves.toEqual({ plaintext: 'rft.1', stale: true });
    const again = await after.encrypt('rft.1', 'acc_1:refresh');
    await expect(after.decrypt(again, 'acc_1:refresh')).resolves.toEqual({ plaintext: 'rft.1', stale: false });
    await expect(before.decrypt(again, 'acc_1:refresh')).rejects.toBeInstanceOf(TokenCipherError);
  });
  it('refuses a ciphertext moved to another account or column', async () => {
    const cipher = createTokenCipher(parseEncryptionKeys(k()));
    const jwe = await cipher.encrypt('act.1', 'acc_1:access');
    await expect(cipher.decrypt(jwe, 'acc_2:access')).rejects.toMatchObject({ code: 'token_decryption_failed' });
  });
  it('refuses tampering', async () => {
    const cipher = createTokenCipher(parseEncryptionKeys(k()));
    const parts = (await cipher.encrypt('act.1', 'c')).split('.');
    parts[3] = Buffer.from('zzzzz').toString('base64url');
    await expect(cipher.decrypt(parts.join('.'), 'c')).rejects.toMatchObject({ code: 'token_decryption_failed' });
  });
  it('rejects bad keys without echoing them', () => {
    const bad = 'c2hvcnQ';
    try {
      parseEncryptionKeys(`${k()},${bad}`);
      expect.unreachable();
    } catch (err) {
      expect((err as { code: string }).code).toBe('invalid_encryption_key');
      expect((err as Error).message).not.toContain(bad);
    }
    expect(() => parseEncryptionKeys(' , ')).toThrow();
  });
});
