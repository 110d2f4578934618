/** The publisher's slice of configuration (DESIGN §4 variables plus tuning knobs). */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULT_PUBLISHER_CONFIG, type PublisherConfig } from './application/context.ts';

export interface PublisherServiceConfig extends PublisherConfig {
  clientKey: string;
  clientSecret: string;
  apiBaseUrl: string;
  authUrl: string;
}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const int = (v: string | undefined, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d);

/** Reads the slice from the environment; throws with the variable name, never its value. */
export function publisherConfigFromEnv(env: Record<string, string | undefined>, defaults: Partial<PublisherServiceConfig> = {}): PublisherServiceConfig {
  const need = (name: string, fallback: string | undefined): string => {
    const v = env[name] ?? fallback;
    if (!v) throw new Error(`${name} is required`);
    return v;
  };
  const base = { ...DEFAULT_PUBLISHER_CONFIG, ...defaults };
  return {
    ...base,
    clientKey: need('TIKTOK_CLIENT_KEY', defaults.clientKey),
    clientSecret: need('TIKTOK_CLIENT_SECRET', defaults.clientSecret),
    apiBaseUrl: env['TIKTOK_API_BASE_URL'] ?? defaults.apiBaseUrl ?? 'https://open.tiktokapis.com',
    authUrl: env['TIKTOK_AUTH_URL'] ?? defaults.authUrl ?? 'https://www.tiktok.com/v2/auth/authorize/',
    mediaRoot: resolve(env['MEDIA_ROOT'] ?? defaults.mediaRoot ?? 'media/samples'),
    mediaUrlAllowlist: env['MEDIA_URL_ALLOWLIST'] !== undefined ? list(env['MEDIA_URL_ALLOWLIST']) : base.mediaUrlAllowlist,
    verifiedUrlPrefixes: env['TIKTOK_VERIFIED_URL_PREFIXES'] !== undefined ? list(env['TIKTOK_VERIFIED_URL_PREFIXES']) : base.verifiedUrlPrefixes,
    appAudited: env['TIKTOK_APP_AUDITED'] !== undefined ? env['TIKTOK_APP_AUDITED'] === 'true' : base.appAudited,
    workerId: env['PUBLISHER_WORKER_ID'] ?? defaults.workerId ?? `${hostname()}-${process.pid}`,
    leaseMs: int(env['PUBLISHER_LEASE_MS'], base.leaseMs),
    statusPollMs: int(env['PUBLISHER_STATUS_POLL_MS'], base.statusPollMs),
    chunkSize: int(env['PUBLISHER_CHUNK_SIZE'], base.chunkSize),
  };
}
