/** Everything the publisher's use cases need, built once in app.ts. */
import type { EventStore } from '@tiktok-share/eventstore/types.ts';
import type { TikTokClient } from '@tiktok-share/tiktok';
import type { Bus } from '@tiktok-share/messaging/port.ts';
import type { Ports } from '../adapters/nats/ports.ts';
import type { FetchLike } from '../adapters/media/range-blob.ts';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface PublisherConfig {
  mediaRoot: string;
  mediaUrlAllowlist: string[];
  /** TIKTOK_VERIFIED_URL_PREFIXES: URL sources under them go PULL_FROM_URL. */
  verifiedUrlPrefixes: string[];
  /** TIKTOK_APP_AUDITED: false → SELF_ONLY to private accounts only. */
  appAudited: boolean;
  /** Preferred chunk size for the planner (default 10,000,000). */
  chunkSize: number;
  /** This instance's lease owner id. */
  workerId: string;
  /** Lease length; renewed at a third of it while a share is worked on. */
  leaseMs: number;
  /** Idle poll of the work table. */
  workPollMs: number;
  /** Shares one instance works on at once (one per slot, never one share on two slots). */
  workerSlots: number;
  chunkRetries: number;
  retryBaseMs: number;
  statusPollMs: number;
  statusPollMaxMs: number;
  /** How long to follow a publish before failing it as `status_timeout` (retryable). */
  statusDeadlineMs: number;
}

export const DEFAULT_PUBLISHER_CONFIG: Omit<PublisherConfig, 'mediaRoot' | 'workerId'> = {
  mediaUrlAllowlist: [],
  verifiedUrlPrefixes: [],
  appAudited: false,
  chunkSize: 10_000_000,
  leaseMs: 30_000,
  workPollMs: 500,
  workerSlots: 8,
  chunkRetries: 5,
  retryBaseMs: 200,
  statusPollMs: 1_000,
  statusPollMaxMs: 10_000,
  statusDeadlineMs: 30 * 60_000,
};

export interface PublisherContext {
  store: EventStore;
  schema: string;
  bus: Bus;
  logger: Logger;
  config: PublisherConfig;
  ports: Ports;
  tiktok: TikTokClient;
  fetch: FetchLike;
  now(): Date;
  sleep(ms: number): Promise<void>;
}
