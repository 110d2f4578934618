/** The publisher's slice of configuration (DESIGN §4 variables plus tuning knobs). */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { AppConfig } from '@tiktok-share/platform/config.ts';
import { DEFAULT_PUBLISHER_CONFIG, type PublisherConfig } from './application/context.ts';

export interface PublisherServiceConfig extends PublisherConfig {
  clientKey: string;
  clientSecret: string;
  apiBaseUrl: string;
  authUrl: string;
}

const int = (v: string | undefined, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d);

/**
 * The slice from the parsed platform configuration (DESIGN §4), plus tuning knobs that are not
 * contract variables (PUBLISHER_WORKER_ID, PUBLISHER_LEASE_MS, PUBLISHER_STATUS_POLL_MS,
 * PUBLISHER_CHUNK_SIZE, PUBLISHER_WORKER_SLOTS) read from `env`.
 */
export function publisherConfigFrom(config: AppConfig, env: Record<string, string | undefined> = {}, defaults: Partial<PublisherConfig> = {}): PublisherServiceConfig {
  const { tiktok } = config;
  if (!tiktok.clientKey || !tiktok.clientSecret) throw new Error('TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET are required');
  const base = { ...DEFAULT_PUBLISHER_CONFIG, ...defaults };
  return {
    ...base,
    clientKey: tiktok.clientKey,
    clientSecret: tiktok.clientSecret,
    apiBaseUrl: tiktok.apiBaseUrl,
    authUrl: tiktok.authUrl,
    mediaRoot: resolve(config.media.root ?? defaults.mediaRoot ?? 'media/samples'),
    mediaUrlAllowlist: config.media.urlAllowlist,
    verifiedUrlPrefixes: tiktok.verifiedUrlPrefixes,
    appAudited: tiktok.appAudited,
    workerId: env['PUBLISHER_WORKER_ID'] ?? defaults.workerId ?? `${hostname()}-${process.pid}`,
    leaseMs: int(env['PUBLISHER_LEASE_MS'], base.leaseMs),
    statusPollMs: int(env['PUBLISHER_STATUS_POLL_MS'], base.statusPollMs),
    chunkSize: int(env['PUBLISHER_CHUNK_SIZE'], base.chunkSize),
    workerSlots: int(env['PUBLISHER_WORKER_SLOTS'], base.workerSlots),
  };
}
