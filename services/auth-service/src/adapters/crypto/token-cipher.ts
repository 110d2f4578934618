/**
 * Tokens at rest: compact JWE, `alg: dir`, `enc: A256GCM` (AES-256-GCM), one 32-byte key per
 * `kid`. TOKEN_ENCRYPTION_KEY is a comma list of base64url keys: the first encrypts, all decrypt,
 * so keys rotate by prepending a new one; values read with an older key report `stale` and are
 * re-encrypted by the caller on use.
 *
 * The protected header also carries `ctx` (e.g. `acc_x:refresh`): it is authenticated by GCM, so a
 * ciphertext copied into another row or column fails to decrypt instead of handing out the wrong
 * account's token.
 */
import { createHash } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';

export interface TokenCipher {
  encrypt(plaintext: string, context: string): Promise<string>;
  /** `stale`: encrypted with a key other than the current one — re-encrypt and store. */
  decrypt(jwe: string, context: string): Promise<{ plaintext: string; stale: boolean }>;
}

export class TokenCipherError extends Error {
  readonly code = 'token_decryption_failed';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenCipherError';
  }
}

interface Key {
  kid: string;
  bytes: Uint8Array;
  /** The WebCrypto key, imported once (jose would import the raw bytes again on every call). */
  crypto?: Promise<CryptoKey>;
}

function cryptoKeyOf(key: Key): Promise<CryptoKey> {
  key.crypto ??= globalThis.crypto.subtle.importKey('raw', new Uint8Array(key.bytes), { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  return key.crypto;
}

/** Key id: a short fingerprint, so the key itself never appears in a header. */
function kidOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 12);
}

/** Parse `k1,k2,…` (base64url, 32 bytes each). Throws `invalid_encryption_key` without echoing the value. */
export function parseEncryptionKeys(list: string): Uint8Array[] {
  const parts = list.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  if (parts.length === 0) throw Object.assign(new Error('TOKEN_ENCRYPTION_KEY is empty'), { code: 'invalid_encryption_key' });
  return parts.map((p, i) => {
    const bytes = new Uint8Array(Buffer.from(p, 'base64url'));
    if (bytes.length !== 32 || !/^[A-Za-z0-9_-]+={0,2}$/.test(p)) {
      throw Object.assign(new Error(`TOKEN_ENCRYPTION_KEY entry ${i + 1} is not a 32-byte base64url key`), { code: 'invalid_encryption_key' });
    }
    return bytes;
  });
}

/**
 * @example
 * const cipher = createTokenCipher(parseEncryptionKeys(process.env.TOKEN_ENCRYPTION_KEY!));
 * const jwe = await cipher.encrypt(accessToken, `${accountId}:access`);
 */
export function createTokenCipher(keyBytes: Uint8Array[]): TokenCipher {
  const keys: Key[] = keyBytes.map((bytes) => ({ kid: kidOf(bytes), bytes }));
  const current = keys[0];
  if (!current) throw new Error('at least one encryption key is required');
  const byKid = new Map(keys.map((k) => [k.kid, k]));
  return {
    async encrypt(plaintext, context) {
      return new CompactEncrypt(new TextEncoder().encode(plaintext))
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: current.kid, ctx: context })
        .encrypt(await cryptoKeyOf(current));
    },
    async decrypt(jwe, context) {
      let kid: string | undefined;
      try {
        const { plaintext, protectedHeader } = await compactDecrypt(
          jwe,
          (header) => {
            kid = header.kid;
            const key = kid ? byKid.get(kid) : undefined;
            if (!key) throw new TokenCipherError('no key for this token');
            return cryptoKeyOf(key);
          },
          { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] },
        );
        if (protectedHeader['ctx'] !== context) throw new TokenCipherError('token context mismatch');
        return { plaintext: new TextDecoder().decode(plaintext), stale: kid !== current.kid };
      } catch (err) {
        if (err instanceof TokenCipherError) throw err;
        // jose's message never contains the plaintext; keep it as the cause for the log.
        throw new TokenCipherError('token could not be decrypted', { cause: err });
      }
    },
  };
}
