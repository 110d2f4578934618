/**
 * `createPublisherService(deps)`: wires the publisher without side effects until `start()`, which
 * migrates, provisions the TIKTOK_PUBLISHER stream, starts the outbox relay, the RPC responders and
 * the saga worker.
 */
import type { Kysely } from 'kysely';
import { eventCatalogue, isEventType, streams } from '@tiktok-share/contracts/catalogue.ts';
import { createEventStore, serveMetricsRpc, startOutboxRelay, type OutboxRelay, type StoredEvent } from '@tiktok-share/eventstore';
import { createMetrics, outboxLagMetrics, tiktokCallMetrics } from '@tiktok-share/platform/metrics.ts';
import type { Bus, Subscription } from '@tiktok-share/messaging/port.ts';
import { createTikTokClient, type TikTokClient, type TikTokClientOptions } from '@tiktok-share/tiktok';
import type { FetchLike } from './adapters/media/range-blob.ts';
import { migratePublisher } from './adapters/db/migrate.ts';
import { createNatsPorts, type Ports } from './adapters/nats/ports.ts';
import { startResponders } from './adapters/nats/responders.ts';
import type { Logger, PublisherContext } from './application/context.ts';
import { startWorker, type Worker } from './application/worker.ts';
import type { PublisherServiceConfig } from './config.ts';
import { shareViewProjection, shareWorkProjection } from './projections/share-view.projection.ts';

export interface PublisherServiceDeps {
  db: Kysely<any>;
  schema: string;
  bus: Bus;
  logger: Logger & { child(b: object): Logger };
  config: PublisherServiceConfig;
  now?: () => Date;
  /** Replace the auth/quota RPC ports (defaults to NATS request/reply). */
  ports?: Ports;
  tiktok?: TikTokClient;
  tiktokOptions?: Partial<TikTokClientOptions>;
  fetch?: FetchLike;
  /** Run the saga worker in this instance (default true). */
  worker?: boolean;
  relayPollMs?: number;
}

function subjectFor(e: StoredEvent): string {
  if (!isEventType(e.type)) throw new Error(`no subject for event type ${e.type}`);
  return eventCatalogue[e.type].subject;
}

export function createPublisherService(deps: PublisherServiceDeps) {
  const logger = deps.logger.child({ component: 'publisher-service' });
  const store = createEventStore({ db: deps.db, schema: deps.schema, inlineProjections: [shareViewProjection(deps.schema), shareWorkProjection(deps.schema)] });
  const { config } = deps;
  // Own registry, no process metrics (the gateway has those): served over the bus, merged by the gateway.
  const metrics = createMetrics({ service: 'publisher' });
  const ctx: PublisherContext = {
    store, schema: deps.schema, bus: deps.bus, logger, config,
    ports: deps.ports ?? createNatsPorts(deps.bus),
    tiktok: deps.tiktok ?? createTikTokClient({ clientKey: config.clientKey, clientSecret: config.clientSecret, apiBaseUrl: config.apiBaseUrl, authUrl: config.authUrl, onCall: tiktokCallMetrics(metrics), ...deps.tiktokOptions }),
    fetch: deps.fetch ?? ((url, init) => fetch(url, init)),
    now: deps.now ?? (() => new Date()),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  let relay: OutboxRelay | undefined;
  let worker: Worker | undefined;
  let subs: Subscription[] = [];
  return {
    ctx,
    async start(): Promise<void> {
      await store.migrate();
      await migratePublisher(deps.db, deps.schema);
      await deps.bus.ensureStreams([{ name: streams.publisher.name, subjects: [...streams.publisher.subjects] }]);
      relay = startOutboxRelay({ store, bus: deps.bus, name: 'publisher', subjectFor, logger, pollMs: deps.relayPollMs ?? 150, onLag: outboxLagMetrics(metrics) });
      if (deps.worker !== false) worker = startWorker(ctx);
      subs = await startResponders(ctx, () => { relay?.notify(); worker?.notify(); });
      subs.push(await serveMetricsRpc({ bus: deps.bus, service: 'publisher', registry: metrics.registry, logger }));
      logger.info({ workerId: config.workerId }, 'publisher service started');
    },
    async stop(): Promise<void> {
      await Promise.all(subs.map((s) => s.stop()));
      subs = [];
      await worker?.stop();
      worker = undefined;
      await relay?.stop();
      relay = undefined;
    },
  };
}
