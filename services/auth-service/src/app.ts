/**
 * `createAuthService(deps)`: wires the auth service without side effects until `start()`, which
 * migrates, provisions the TIKTOK_AUTH stream, starts the outbox relay and the RPC responders.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { eventCatalogue, isEventType } from '@tiktok-share/contracts/catalogue.ts';
import { createEventStore, createRebuildRunner, serveAdminRpcs, serveMetricsRpc, startOutboxRelay, type OutboxRelay, type StoredEvent } from '@tiktok-share/eventstore';
import { createMetrics, outboxLagMetrics, tiktokCallMetrics } from '@tiktok-share/platform/metrics.ts';
import type { Bus, Subscription } from '@tiktok-share/messaging';
import { createTikTokClient, type TikTokClientOptions } from '@tiktok-share/tiktok';
import { createTokenCipher, parseEncryptionKeys } from './adapters/crypto/token-cipher.ts';
import { migrateAuth } from './adapters/db/migrations.ts';
import { startResponders } from './adapters/nats/responders.ts';
import { createAuthUseCases, type AuthService } from './application/auth-service.ts';
import type { AuthContext, TikTokAuthApi } from './application/context.ts';
import type { AuthServiceConfig } from './config.ts';
import { accountsProjection } from './projections/accounts.projection.ts';

export interface AuthServiceDeps {
  db: Kysely<any>;
  schema: string;
  bus: Bus;
  logger: Logger;
  config: AuthServiceConfig;
  now?: () => Date;
  /** Replace the TikTok client (tests use the emulator through the real client instead). */
  tiktok?: TikTokAuthApi;
  /** Extra client options (e.g. an undici dispatcher). */
  tiktokOptions?: Partial<TikTokClientOptions>;
  /** Outbox relay idle poll; default 150 ms. */
  relayPollMs?: number;
}

export const AUTH_STREAM = { name: 'TIKTOK_AUTH', subjects: ['tiktok.account.>'] };

function subjectFor(e: StoredEvent): string {
  if (!isEventType(e.type)) throw new Error(`no subject for event type ${e.type}`);
  return eventCatalogue[e.type].subject;
}

export function createAuthService(deps: AuthServiceDeps): AuthService & { start(): Promise<void>; stop(): Promise<void> } {
  const logger = deps.logger.child({ component: 'auth-service' });
  const projection = accountsProjection(deps.schema);
  const store = createEventStore({ db: deps.db, schema: deps.schema, inlineProjections: [projection] });
  const { config } = deps;
  // Own registry, no process metrics (the gateway has those): served over the bus, merged by the gateway.
  const metrics = createMetrics({ service: 'auth' });
  const tiktok =
    deps.tiktok ??
    createTikTokClient({ clientKey: config.clientKey, clientSecret: config.clientSecret, apiBaseUrl: config.apiBaseUrl, authUrl: config.authUrl, onCall: tiktokCallMetrics(metrics), ...deps.tiktokOptions });
  const ctx: AuthContext = {
    store,
    schema: deps.schema,
    cipher: createTokenCipher(parseEncryptionKeys(config.encryptionKeys)),
    tiktok,
    redirectUri: config.redirectUri,
    scopes: config.scopes,
    clientKey: config.clientKey,
    logger,
    now: deps.now ?? (() => new Date()),
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
  };
  const rebuilds = createRebuildRunner({ store, projections: store.inlineProjections, logger });
  const useCases = createAuthUseCases(ctx, rebuilds);
  let relay: OutboxRelay | undefined;
  let subs: Subscription[] = [];
  return {
    ...useCases,
    async start() {
      await store.migrate();
      await migrateAuth(deps.db, deps.schema);
      await deps.bus.ensureStreams([AUTH_STREAM]);
      relay = startOutboxRelay({ store, bus: deps.bus, name: 'auth', subjectFor, logger, pollMs: deps.relayPollMs ?? 150, onLag: outboxLagMetrics(metrics) });
      subs = [
        ...(await startResponders(deps.bus, useCases, logger)),
        ...(await serveAdminRpcs({ bus: deps.bus, service: 'auth', store, schema: deps.schema, projections: store.inlineProjections, logger, runner: rebuilds })),
        await serveMetricsRpc({ bus: deps.bus, service: 'auth', registry: metrics.registry, logger }),
      ];
      logger.info('auth service started');
    },
    async stop() {
      await Promise.all(subs.map((s) => s.stop()));
      subs = [];
      await relay?.stop();
      relay = undefined;
    },
  };
}
