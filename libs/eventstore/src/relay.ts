/**
 * The outbox relay: public events of the log → the bus, in committed order, at least once.
 * The event table IS the outbox (no second table): the relay's checkpoint says what is out.
 * Crash between publish and checkpoint → the batch is published again with the same msgId (= event
 * id) and JetStream's duplicate window drops the copies.
 */
import type { Bus } from '@tiktok-share/messaging/port.ts';
import { idleProbe, maxIdleSkips, runBatch, startPollLoop, type LoggerLike, type PollLoop } from './loop.ts';
import { outboxBacklog, type OutboxLag } from './outbox-lag.ts';
import { checkpointOf } from './read.ts';
import type { EventStore, StoredEvent } from './types.ts';

export type { OutboxLag } from './outbox-lag.ts';

/** DESIGN §6 envelope, as published. */
export interface EventEnvelope {
  id: string;
  type: string;
  version: number;
  streamId: string;
  streamVersion: number;
  occurredAt: string;
  correlationId: string;
  causationId: string;
  data: unknown;
}

/**
 * The integration envelope of a stored event. Without metadata, correlation and causation default to
 * the event's own id (it starts its own conversation), so both are always strings.
 * @example bus.publish(subject, encodeEnvelope(toEnvelope(event)), { msgId: event.id })
 */
export function toEnvelope(event: StoredEvent): EventEnvelope {
  const m = event.metadata;
  return {
    id: event.id,
    type: event.type,
    version: event.version,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    occurredAt: event.occurredAt,
    correlationId: typeof m.correlationId === 'string' ? m.correlationId : event.id,
    causationId: typeof m.causationId === 'string' ? m.causationId : event.id,
    data: event.data,
  };
}

const encoder = new TextEncoder();
/** JSON bytes of an envelope. */
export function encodeEnvelope(env: EventEnvelope): Uint8Array {
  return encoder.encode(JSON.stringify(env));
}

export interface OutboxRelayOptions {
  store: EventStore;
  bus: Bus;
  /** Relay name, unique per schema (checkpoint `relay:<name>`). */
  name: string;
  subjectFor(event: StoredEvent): string;
  logger?: LoggerLike;
  /** Idle poll interval; default 150 ms. */
  pollMs?: number;
  /** Events per batch transaction; default 200. */
  batchSize?: number;
  /** Do not start the poll loop (tests drive `runOnce`). Default true. */
  autoStart?: boolean;
  /** Test seam: runs after a batch is published and before its checkpoint is saved. */
  afterPublish?(events: StoredEvent[]): Promise<void> | void;
  /**
   * Metrics: after each batch this instance ran (not when another instance held the lock), the
   * public events still unpublished and the age of the oldest. A short batch means drained
   * (0, 0) at no cost; only after a full batch is the backlog counted (one query).
   */
  onLag?(lag: OutboxLag): void;
}

export interface OutboxRelay extends PollLoop {
  /** One batch now; the number of events published, or null if another instance holds the lock. */
  runOnce(): Promise<number | null>;
}

/** After a full batch (`last` set) count what remains; otherwise the relay is drained. Never throws. */
async function reportLag(opts: OutboxRelayOptions, last: StoredEvent | undefined): Promise<void> {
  try {
    const backlog = last ? await outboxBacklog(opts.store.db, opts.store.schema, checkpointOf(last)) : { events: 0, ageMs: 0 };
    opts.onLag?.({ name: opts.name, ...backlog });
  } catch (err) {
    // Metrics must not stop the relay: the batch is already committed.
    opts.logger?.error({ err, relay: opts.name }, 'outbox lag report failed');
  }
}

/**
 * @example
 * const relay = startOutboxRelay({ store, bus, name: 'publisher', subjectFor: (e) => subjects[e.type] });
 * // after an append: relay.notify(); on shutdown: await relay.stop();
 */
export function startOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const batchSize = opts.batchSize ?? 200;
  const pollMs = opts.pollMs ?? 150;
  const idle = idleProbe({ store: opts.store, publicOnly: true }, maxIdleSkips(pollMs));
  const runOnce = async () => {
    let last: StoredEvent | undefined;
    const n = await runBatch({
      store: opts.store,
      checkpoint: `relay:${opts.name}`,
      batchSize,
      publicOnly: true,
      onCommitted: idle.remember,
      handle: async (_trx, events) => {
        // Sequential on purpose: a failed publish must not let a later event overtake it.
        for (const e of events) await opts.bus.publish(opts.subjectFor(e), encodeEnvelope(toEnvelope(e)), { msgId: e.id });
        await opts.afterPublish?.(events);
        last = events.at(-1);
      },
    });
    if (n !== null && opts.onLag) await reportLag(opts, n === batchSize ? last : undefined);
    return n;
  };
  const loop: PollLoop =
    opts.autoStart === false
      ? { notify() {}, async stop() {} }
      : startPollLoop({ runOnce, batchSize, pollMs, logger: opts.logger, what: `relay:${opts.name}`, idle });
  return { runOnce, notify: loop.notify, stop: loop.stop };
}
