/**
 * The quota service: TikTok's limits as an event-sourced ledger, authoritative across instances.
 * `createQuotaService(deps)` has no side effects; `start()` migrates, provisions streams, starts
 * the outbox relay, the consumers, the RPC responders and the expiry sweeper.
 */
import { randomUUID } from 'node:crypto';
import { createEventStore, serveMetricsRpc, startOutboxRelay, type AnyDb, type OutboxRelay } from '@tiktok-share/eventstore';
import { createMetrics, outboxLagMetrics } from '@tiktok-share/platform/metrics.ts';
import { isEventType, streams, subjectFor } from '@tiktok-share/contracts';
import type { Bus, Subscription } from '@tiktok-share/messaging';
import type { Logger } from 'pino';
import { DEFAULT_QUOTA_CONFIG, type QuotaConfig } from './config.ts';
import { migrateQuotaTables } from './adapters/db/migrations.ts';
import { startConsumers } from './adapters/nats/consumers.ts';
import { startResponders } from './adapters/nats/responders.ts';
import { sweepExpired } from './application/release-quota.ts';
import { reservationsProjection } from './projections/reservations.projection.ts';
import type { QuotaContext } from './application/context.ts';
import { createCreatorStates } from './application/creator-states.ts';

export interface QuotaServiceDeps {
  db: AnyDb;
  schema: string;
  bus: Bus;
  logger: Logger;
  config?: Partial<QuotaConfig>;
  now?: () => Date;
}

export interface QuotaService {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Use cases, for tests and the embedded process (the RPC responders call the same). */
  readonly context: QuotaContext;
  /** One expiry sweep now (the timer calls it every `sweepIntervalMs`). */
  sweep(): Promise<number>;
}

/**
 * @example
 * const quota = createQuotaService({ db, schema: 'quota', bus, logger });
 * await quota.start(); ... await quota.stop();
 */
export function createQuotaService(deps: QuotaServiceDeps): QuotaService {
  const logger = deps.logger.child({ service: 'quota' });
  const config: QuotaConfig = { ...DEFAULT_QUOTA_CONFIG, ...deps.config };
  const projection = reservationsProjection(deps.schema);
  const store = createEventStore({ db: deps.db, schema: deps.schema, inlineProjections: [projection] });
  let relay: OutboxRelay | undefined;
  // Own registry, no process metrics (the gateway has those): served over the bus, merged by the gateway.
  const metrics = createMetrics({ service: 'quota' });
  const context: QuotaContext = {
    db: deps.db,
    schema: deps.schema,
    store,
    config,
    logger,
    now: deps.now ?? (() => new Date()),
    newId: () => randomUUID(),
    appended: () => relay?.notify(),
    creatorStates: createCreatorStates(),
  };
  const subscriptions: Subscription[] = [];
  let sweeper: ReturnType<typeof setInterval> | undefined;
  let sweeping: Promise<unknown> = Promise.resolve();

  const sweep = () => sweepExpired(context);

  return {
    context,
    sweep,
    async start() {
      await store.migrate();
      await migrateQuotaTables(deps.db, deps.schema);
      // The publisher's stream too: our durables must bind even if the publisher starts later.
      await deps.bus.ensureStreams([{ ...streams.quota, subjects: [...streams.quota.subjects] }, { ...streams.publisher, subjects: [...streams.publisher.subjects] }]);
      relay = startOutboxRelay({
        store,
        bus: deps.bus,
        name: 'quota',
        logger,
        onLag: outboxLagMetrics(metrics),
        subjectFor: (e) => {
          if (!isEventType(e.type)) throw new Error(`no subject for private event ${e.type}`);
          return subjectFor(e.type);
        },
      });
      subscriptions.push(...(await startConsumers(context, deps.bus)));
      subscriptions.push(...(await startResponders(context, deps.bus, logger)));
      subscriptions.push(await serveMetricsRpc({ bus: deps.bus, service: 'quota', registry: metrics.registry, logger }));
      sweeper = setInterval(() => {
        sweeping = sweep().catch((err: unknown) => logger.error({ err }, 'expiry sweep failed'));
      }, config.sweepIntervalMs);
      sweeper.unref?.();
      logger.info({ policy: config.policy }, 'quota service started');
    },
    async stop() {
      if (sweeper) clearInterval(sweeper);
      await sweeping;
      await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
      await relay?.stop();
    },
  };
}
