/**
 * Environment configuration (DESIGN §4: fixed names and defaults), parsed once at boot with zod.
 * `loadConfig` fails fast listing every bad variable (names and reasons only — values may be
 * secrets). Embedded-mode defaults (emulator URLs, generated keys under ./.data/) belong to the
 * composition root: it passes them as `defaults`, which apply only where the env is silent.
 */
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const ENV_NAMES = [
  'PORT', 'PUBLIC_BASE_URL', 'DATABASE_URL', 'NATS_URL', 'GATEWAY_JWT_SECRET', 'GATEWAY_JWKS_URL',
  'TOKEN_ENCRYPTION_KEY', 'TIKTOK_CLIENT_KEY', 'TIKTOK_CLIENT_SECRET', 'TIKTOK_REDIRECT_URI',
  'TIKTOK_API_BASE_URL', 'TIKTOK_AUTH_URL', 'TIKTOK_SCOPES', 'TIKTOK_APP_AUDITED', 'TIKTOK_DAILY_POST_LIMIT',
  'TIKTOK_VERIFIED_URL_PREFIXES', 'MEDIA_ROOT', 'MEDIA_URL_ALLOWLIST', 'TIKTOK_EMULATOR_PORT',
  'TIKTOK_WEBHOOK_URL', 'LOG_LEVEL',
] as const;
export type EnvName = (typeof ENV_NAMES)[number];
export type Env = Partial<Record<string, string | undefined>>;

export interface AppConfig {
  port: number;
  publicBaseUrl: string;
  /** Absent: embedded PGlite. */
  databaseUrl: string | undefined;
  /** Empty: in-process message adapter. */
  natsServers: string[];
  jwt: { secret: string | undefined; jwksUrl: string | undefined };
  /** 32-byte keys; the first encrypts, all decrypt. Empty: the composition root generates one. */
  tokenEncryptionKeys: Uint8Array[];
  tiktok: {
    clientKey: string | undefined;
    clientSecret: string | undefined;
    redirectUri: string;
    apiBaseUrl: string;
    authUrl: string;
    scopes: string[];
    appAudited: boolean;
    dailyPostLimit: number;
    verifiedUrlPrefixes: string[];
    webhookUrl: string;
    emulatorPort: number;
    /** True when neither TIKTOK_API_BASE_URL nor TIKTOK_CLIENT_KEY is set (DESIGN §4): run the emulator. */
    useEmulator: boolean;
  };
  media: { root: string | undefined; urlAllowlist: string[] };
  logLevel: LogLevel;
}

/** Lists every invalid variable; the message is safe to print (no values). */
export class ConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i.variable}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodType>(s: T) => z.preprocess(blankToUndefined, s.optional());
const port = (fallback: number) => z.preprocess(blankToUndefined, z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(fallback));
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const list = z.preprocess(blankToUndefined, z.string().optional()).transform(splitList);

/** Comma list → trimmed, non-empty items. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

const BASE64URL_32 = /^[A-Za-z0-9_-]{43}=?$/;

/**
 * Parse `TOKEN_ENCRYPTION_KEY`: comma list of 32-byte base64url keys.
 * @example parseKeyList('k1,k2') // [Uint8Array(32), Uint8Array(32)]
 */
export function parseKeyList(value: string | undefined): Uint8Array[] {
  return splitList(value).map((k, i) => {
    const bytes = BASE64URL_32.test(k) ? Buffer.from(k, 'base64url') : undefined;
    if (bytes?.length !== 32) throw new Error(`key #${i + 1} is not 32 bytes of base64url`);
    return new Uint8Array(bytes);
  });
}

const envSchema = z.object({
  PORT: port(8080),
  PUBLIC_BASE_URL: opt(httpUrl),
  DATABASE_URL: opt(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')),
  NATS_URL: list,
  GATEWAY_JWT_SECRET: opt(z.string().min(16, 'must be at least 16 characters')),
  GATEWAY_JWKS_URL: opt(httpUrl),
  TOKEN_ENCRYPTION_KEY: opt(z.string()),
  TIKTOK_CLIENT_KEY: opt(z.string()),
  TIKTOK_CLIENT_SECRET: opt(z.string()),
  TIKTOK_REDIRECT_URI: opt(httpUrl),
  TIKTOK_API_BASE_URL: opt(httpUrl),
  TIKTOK_AUTH_URL: opt(httpUrl),
  TIKTOK_SCOPES: list,
  TIKTOK_APP_AUDITED: opt(z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' })),
  TIKTOK_DAILY_POST_LIMIT: z.preprocess(blankToUndefined, z.coerce.number({ error: 'must be a positive integer' }).int().min(1).default(15)),
  TIKTOK_VERIFIED_URL_PREFIXES: list.pipe(z.array(httpUrl)),
  MEDIA_ROOT: opt(z.string()),
  MEDIA_URL_ALLOWLIST: list,
  TIKTOK_EMULATOR_PORT: port(8090),
  TIKTOK_WEBHOOK_URL: opt(httpUrl),
  LOG_LEVEL: z.preprocess(blankToUndefined, z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info')),
});

/**
 * Read the configuration from `env` (default `process.env`); `defaults` fill variables the env
 * leaves unset (embedded mode). Throws `ConfigError` naming every bad variable.
 * @example
 * const config = loadConfig(process.env, { TIKTOK_API_BASE_URL: 'http://127.0.0.1:8090' });
 */
export function loadConfig(env: Env = process.env, defaults: Partial<Record<EnvName, string>> = {}): AppConfig {
  const merged: Env = { ...defaults };
  for (const name of ENV_NAMES) if (blankToUndefined(env[name]) !== undefined) merged[name] = env[name];
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '(env)'), message: i.message })));
  }
  const e = parsed.data;
  let keys: Uint8Array[];
  try {
    keys = parseKeyList(e.TOKEN_ENCRYPTION_KEY);
  } catch (err) {
    throw new ConfigError([{ variable: 'TOKEN_ENCRYPTION_KEY', message: (err as Error).message }]);
  }
  // Decided on the caller's env only: defaults never switch the real-TikTok / emulator choice.
  const useEmulator = blankToUndefined(env.TIKTOK_API_BASE_URL) === undefined && blankToUndefined(env.TIKTOK_CLIENT_KEY) === undefined;
  const publicBaseUrl = stripSlash(e.PUBLIC_BASE_URL ?? `http://127.0.0.1:${e.PORT}`);
  return {
    port: e.PORT,
    publicBaseUrl,
    databaseUrl: e.DATABASE_URL,
    natsServers: e.NATS_URL,
    jwt: { secret: e.GATEWAY_JWT_SECRET, jwksUrl: e.GATEWAY_JWKS_URL },
    tokenEncryptionKeys: keys,
    tiktok: {
      clientKey: e.TIKTOK_CLIENT_KEY,
      clientSecret: e.TIKTOK_CLIENT_SECRET,
      redirectUri: e.TIKTOK_REDIRECT_URI ?? `${publicBaseUrl}/api/v1/tiktok/auth/callback`,
      apiBaseUrl: stripSlash(e.TIKTOK_API_BASE_URL ?? 'https://open.tiktokapis.com'),
      authUrl: e.TIKTOK_AUTH_URL ?? 'https://www.tiktok.com/v2/auth/authorize/',
      scopes: e.TIKTOK_SCOPES.length > 0 ? e.TIKTOK_SCOPES : ['user.info.basic', 'video.publish', 'video.upload'],
      // Real credentials: unaudited until told otherwise; the embedded emulator: audited, so the demo posts publicly.
      appAudited: e.TIKTOK_APP_AUDITED === undefined ? useEmulator : e.TIKTOK_APP_AUDITED === 'true' || e.TIKTOK_APP_AUDITED === '1',
      dailyPostLimit: e.TIKTOK_DAILY_POST_LIMIT,
      verifiedUrlPrefixes: e.TIKTOK_VERIFIED_URL_PREFIXES,
      webhookUrl: e.TIKTOK_WEBHOOK_URL ?? `${publicBaseUrl}/api/v1/tiktok/webhooks`,
      emulatorPort: e.TIKTOK_EMULATOR_PORT,
      useEmulator,
    },
    media: { root: e.MEDIA_ROOT, urlAllowlist: e.MEDIA_URL_ALLOWLIST.map((h) => h.toLowerCase()) },
    logLevel: e.LOG_LEVEL,
  };
}

function stripSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
