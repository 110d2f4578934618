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

/** Read the slice from environment variables; throws with the variable name, never its value. */
export function authConfigFromEnv(env: Record<string, string | undefined>, defaults: Partial<AuthServiceConfig> = {}): AuthServiceConfig {
  const need = (name: string, fallback: string | undefined): string => {
    const v = env[name] ?? fallback;
    if (!v) throw new Error(`${name} is required`);
    return v;
  };
  const port = env['PORT'] ?? '8080';
  const publicBase = env['PUBLIC_BASE_URL'] ?? `http://127.0.0.1:${port}`;
  return {
    clientKey: need('TIKTOK_CLIENT_KEY', defaults.clientKey),
    clientSecret: need('TIKTOK_CLIENT_SECRET', defaults.clientSecret),
    redirectUri: env['TIKTOK_REDIRECT_URI'] ?? defaults.redirectUri ?? `${publicBase}/api/v1/tiktok/auth/callback`,
    authUrl: env['TIKTOK_AUTH_URL'] ?? defaults.authUrl ?? 'https://www.tiktok.com/v2/auth/authorize/',
    apiBaseUrl: env['TIKTOK_API_BASE_URL'] ?? defaults.apiBaseUrl ?? 'https://open.tiktokapis.com',
    scopes: (env['TIKTOK_SCOPES'] ?? defaults.scopes?.join(',') ?? DEFAULT_SCOPES.join(',')).split(',').map((s) => s.trim()).filter(Boolean),
    encryptionKeys: need('TOKEN_ENCRYPTION_KEY', defaults.encryptionKeys),
  };
}
