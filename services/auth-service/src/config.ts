import type { AppConfig } from '@tiktok-share/platform/config.ts';

/** The auth service's slice of configuration (DESIGN §4 variables). */
export interface AuthServiceConfig {
  clientKey: string;
  clientSecret: string;
  /** Registered redirect URI (the gateway's callback route). */
  redirectUri: string;
  /** TikTok authorize page. */
  authUrl: string;
  /** TikTok Open API base. */
  apiBaseUrl: string;
  scopes: string[];
  /** TOKEN_ENCRYPTION_KEY: comma list of 32-byte base64url keys, first encrypts, all decrypt. */
  encryptionKeys: string;
}

export const DEFAULT_SCOPES = ['user.info.basic', 'video.publish', 'video.upload'];

/**
 * The slice from the parsed platform configuration (DESIGN §4). `TOKEN_ENCRYPTION_KEY` arrives
 * parsed and validated; the cipher takes the same comma list back.
 */
export function authConfigFrom(config: AppConfig): AuthServiceConfig {
  const { tiktok } = config;
  if (!tiktok.clientKey || !tiktok.clientSecret) throw new Error('TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET are required');
  if (config.tokenEncryptionKeys.length === 0) throw new Error('TOKEN_ENCRYPTION_KEY is required');
  return {
    clientKey: tiktok.clientKey,
    clientSecret: tiktok.clientSecret,
    redirectUri: tiktok.redirectUri,
    authUrl: tiktok.authUrl,
    apiBaseUrl: tiktok.apiBaseUrl,
    scopes: tiktok.scopes,
    encryptionKeys: config.tokenEncryptionKeys.map((k) => Buffer.from(k).toString('base64url')).join(','),
  };
}
