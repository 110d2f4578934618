/** What every use case of the auth service needs; built once in app.ts. */
import type { Logger } from 'pino';
import type { EventStore } from '@tiktok-share/eventstore/types.ts';
import type { TikTokClient } from '@tiktok-share/tiktok';
import type { TokenCipher } from '../adapters/crypto/token-cipher.ts';

/** The part of the TikTok client the auth service uses (so tests can see what crosses the edge). */
export type TikTokAuthApi = Pick<TikTokClient, 'authorizeUrl' | 'exchangeCode' | 'refresh' | 'revoke' | 'userInfo'>;

export interface AuthContext {
  store: EventStore;
  schema: string;
  cipher: TokenCipher;
  tiktok: TikTokAuthApi;
  redirectUri: string;
  scopes: string[];
  clientKey: string;
  logger: Logger;
  now: () => Date;
  /** Cryptographic randomness (node:crypto randomBytes in production). */
  randomBytes: (n: number) => Uint8Array;
}
