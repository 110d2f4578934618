/**
 * The whole product in one test process, wired like the root main.ts but against REAL PostgreSQL
 * (one fresh schema per service from `testDatabase()`) and REAL NATS JetStream (a unique subject
 * prefix, so concurrent suites never see each other), the TikTok emulator on a random port, and the
 * gateway served by @hono/node-server on a random port with a test JWT secret.
 *
 * Startup is kept fast: one pg pool for the three services (as in the embedded process), short
 * relay/worker/status polls, a small emulator processing delay.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import pino from 'pino';
import { SignJWT } from 'jose';
import { ApiError, createClient, type ShareView, type TikTokShareClient } from '@tiktok-share/client';
import type { ShareStatus } from '@tiktok-share/contracts/common.ts';
import type { NatsBus } from '@tiktok-share/messaging/nats-bus.ts';
import { testNatsBus, type TestNatsBus } from '@tiktok-share/messaging/testing.ts';
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, startEmulator, type EmulatorOptions, type RunningEmulator } from '@tiktok-share/tiktok-emulator';
import { createAuthService } from '../../services/auth-service/src/app.ts';
import { createGateway } from '../../services/gateway/src/app.ts';
import { DEFAULT_PUBLISHER_CONFIG } from '../../services/publisher-service/src/application/context.ts';
import { createPublisherService } from '../../services/publisher-service/src/app.ts';
import type { PublisherServiceConfig } from '../../services/publisher-service/src/config.ts';
import { DEFAULT_POLICY } from '../../services/quota-service/src/domain/creator-quota.ts';
import { createQuotaService } from '../../services/quota-service/src/app.ts';
import { freePort } from './processes.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SAMPLES = join(ROOT, 'media', 'samples');

export interface StackOptions {
  /** Emulator time from last chunk to the final state. Default 20 ms. */
  processingDelayMs?: number;
  /** Extra emulator options (rate limits, caps…). */
  emulator?: EmulatorOptions;
  /** Folder local video paths resolve in. Default the bundled samples. */
  mediaRoot?: string;
  /** Publisher tuning overrides. */
  publisher?: Partial<PublisherServiceConfig>;
  /** pino level of the services. Default `LOG_LEVEL` or `silent`. */
  logLevel?: string;
  /** Gateway RPC timeout. Default 5000 ms. */
  rpcTimeoutMs?: number;
  /**
   * Run the in-process publisher's saga worker (default true). false: it still answers the
   * publisher RPCs (accepts shares); another publisher instance on the same schema and prefix
   * (e.g. a child process, as in the bench) drains them.
   */
  publisherWorker?: boolean;
}

/** The `GET /__control/state` snapshot fields the suites look at. */
export interface EmulatorPublish {
  publishId: string; openId: string; mode: string; privacyLevel: string | null; videoSize: number; bytesReceived: number;
  sha256: string | null; totalChunks: number; chunksReceived: number; status: string; postIds: string[];
}
export interface EmulatorSnapshot {
  publishes: EmulatorPublish[];
  violations: Array<{ kind: string; endpoint: string; detail: string; at: string }>;
  creators: Array<{ id?: string; openId?: string; postsLast24h: number }>;
}

export interface Stack {
  /** Gateway origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  emulator: RunningEmulator;
  /** A bus of the test itself on the stack's prefix (for consumers "other platform services" would run). */
  bus: NatsBus;
  prefix: string;
  schemas: { auth: string; quota: string; publisher: string };
  /** HS256 platform JWT, valid 1 h. */
  tokenFor(userId: string, roles?: string[]): Promise<string>;
  /** A typed client for a user. */
  client(userId: string, roles?: string[]): Promise<TikTokShareClient>;
  /** OAuth through the emulator's consent shortcut; returns the new accountId. */
  connectAccount(client: TikTokShareClient, creatorId: string): Promise<string>;
  /** Polls the share until its status is one of `statuses`. */
  waitForShare(client: TikTokShareClient, shareId: string, statuses: ShareStatus[], timeoutMs?: number): Promise<ShareView>;
  emulatorState(): Promise<EmulatorSnapshot>;
  /** POST to the emulator's control API. */
  control(path: string, body?: unknown): Promise<Response>;
  stop(): Promise<void>;
}

/** HS256 JWT with `sub` and `roles`, as the platform issues them. */
export async function signToken(secret: string, userId: string, roles: string[] = []): Promise<string> {
  return new SignJWT({ roles }).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setIssuedAt().setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
}

/**
 * Connects `creatorId` for the client's user: auth URL → emulator authorize with the consent
 * shortcut → the emulator's redirect to the gateway callback → the callback's redirect carries the
 * accountId. `fetchImpl` is plain fetch with manual redirects so each hop is checked.
 */
export async function connectThroughGateway(client: TikTokShareClient, creatorId: string): Promise<string> {
  const { authUrl } = await client.authUrl('/connected');
  const authorize = await fetch(`${authUrl}&creator=${encodeURIComponent(creatorId)}&consent=allow`, { redirect: 'manual' });
  const toCallback = authorize.headers.get('location');
  if (authorize.status !== 302 || !toCallback) throw new Error(`authorize answered ${authorize.status} without a redirect`);
  const callback = await fetch(toCallback, { redirect: 'manual' });
  const back = callback.headers.get('location') ?? '';
  const accountId = new URL(back, 'http://x').searchParams.get('accountId');
  if (callback.status !== 302 || !accountId) throw new Error(`callback answered ${callback.status} → ${back}`);
  return accountId;
}

/**
 * Polls `getShare` until a wanted status (fails fast on an unexpected final one). A 5xx (the
 * publisher restarting) is retried until the deadline.
 */
export async function waitForShareStatus(client: TikTokShareClient, shareId: string, statuses: ShareStatus[], timeoutMs = 30_000): Promise<ShareView> {
  const deadline = Date.now() + timeoutMs;
  let last: ShareView | undefined;
  for (;;) {
    try {
      last = await client.getShare(shareId);
    } catch (err) {
      if (!(err instanceof ApiError && err.status >= 500 && Date.now() < deadline)) throw err;
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    if (statuses.includes(last.status)) return last;
    const final = ['published', 'in_inbox', 'failed'].includes(last.status);
    if (final || Date.now() > deadline) {
      throw new Error(`share ${shareId} is ${last.status}${last.failure ? ` (${last.failure.code}: ${last.failure.message})` : ''}, wanted ${statuses.join('|')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function listen(fetchFn: (req: Request) => Response | Promise<Response>, port: number): Promise<ServerType> {
  return new Promise((resolve) => {
    const server = serve({ fetch: fetchFn, port, hostname: '127.0.0.1' }, () => resolve(server));
  });
}

/**
 * Starts the stack. Always `stop()` it (drops the schemas and the prefixed streams).
 * @example
 * const stack = await startStack(); const alice = await stack.client('alice');
 * const accountId = await stack.connectAccount(alice, 'public1'); … await stack.stop();
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const jwtSecret = randomBytes(32).toString('base64url');
  const encryptionKey = randomBytes(32).toString('base64url');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logger = pino({ level: opts.logLevel ?? process.env['LOG_LEVEL'] ?? 'silent' });
  const mediaRoot = opts.mediaRoot ?? SAMPLES;

  const [emulator, nats, database] = await Promise.all([
    startEmulator({
      clientKey: DEFAULT_CLIENT_KEY, clientSecret: DEFAULT_CLIENT_SECRET, processingDelayMs: opts.processingDelayMs ?? 20,
      webhookUrl: `${url}/api/v1/tiktok/webhooks`, webhookBaseDelayMs: 50, ...opts.emulator,
    }),
    testNatsBus(),
    testDatabase(),
  ]);
  const schemas = { auth: database.schema('auth'), quota: database.schema('quota'), publisher: database.schema('publisher') };
  const db = database.db;
  const bus = nats.bus;

  const auth = createAuthService({
    db, schema: schemas.auth, bus, logger: logger.child({ service: 'auth' }), relayPollMs: 30,
    config: {
      clientKey: DEFAULT_CLIENT_KEY, clientSecret: DEFAULT_CLIENT_SECRET, redirectUri: `${url}/api/v1/tiktok/auth/callback`,
      authUrl: `${emulator.url}/v2/auth/authorize/`, apiBaseUrl: emulator.url,
      scopes: ['user.info.basic', 'video.publish', 'video.upload'], encryptionKeys: encryptionKey,
    },
  });
  const quota = createQuotaService({
    db, schema: schemas.quota, bus, logger: logger.child({ service: 'quota' }),
    config: { policy: { ...DEFAULT_POLICY, appAudited: emulator.emulator.state.settings.appAudited } },
  });
  const publisher = createPublisherService({
    db, schema: schemas.publisher, bus, logger: logger.child({ service: 'publisher' }), relayPollMs: 30, worker: opts.publisherWorker ?? true,
    config: {
      ...DEFAULT_PUBLISHER_CONFIG, clientKey: DEFAULT_CLIENT_KEY, clientSecret: DEFAULT_CLIENT_SECRET,
      apiBaseUrl: emulator.url, authUrl: `${emulator.url}/v2/auth/authorize/`, mediaRoot,
      appAudited: emulator.emulator.state.settings.appAudited, workerId: `stack-${process.pid}`,
      leaseMs: 5_000, workPollMs: 50, retryBaseMs: 20, statusPollMs: 30, statusPollMaxMs: 200, statusDeadlineMs: 60_000,
      ...opts.publisher,
    },
  });
  // The three services are independent at boot (own schema, own stream): start them together.
  await Promise.all([auth.start(), quota.start(), publisher.start()]);

  // The gateway gets its own connection, like a separate process would.
  const gatewayBus = await nats.peer();
  const { app } = createGateway({
    bus: gatewayBus, logger: logger.child({ service: 'gateway' }),
    config: { jwtSecret, clientSecret: DEFAULT_CLIENT_SECRET, publicBaseUrl: url, mediaRoot, rpcTimeoutMs: opts.rpcTimeoutMs ?? 5000, sseHeartbeatMs: 1000 },
  });
  const server = await listen(app.fetch, port);

  const tokenFor = (userId: string, roles: string[] = []) => signToken(jwtSecret, userId, roles);
  let stopped = false;
  return {
    url, emulator, bus, prefix: nats.prefix, schemas, tokenFor,
    client: async (userId, roles = []) => createClient({ baseUrl: url, token: await tokenFor(userId, roles) }),
    connectAccount: connectThroughGateway,
    waitForShare: waitForShareStatus,
    emulatorState: async () => (await (await fetch(`${emulator.url}/__control/state`)).json()) as EmulatorSnapshot,
    control: (path, body) => fetch(`${emulator.url}/__control/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) }),
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      // Publisher first: it calls auth and quota while it drains.
      for (const s of [publisher, quota, auth]) await s.stop().catch(() => undefined);
      await (nats as TestNatsBus).cleanup();
      await database.cleanup();
      await emulator.close();
    },
  };
}
