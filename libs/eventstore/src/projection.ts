/**
 * Async projections (checkpointed, fed by a poll loop, gap-safe like the relay) and rebuild by replay.
 */
import { sql } from 'kysely';
import { batchLock, saveCheckpoint } from './checkpoints.ts';
import { idleProbe, maxIdleSkips, runBatch, startPollLoop, type LoggerLike, type PollLoop } from './loop.ts';
import { checkpointOf, readAllEvents, readAllUnfenced } from './read.ts';
import { rebuildViaShadow } from './shadow-rebuild.ts';
import { START, type AnyTrx, type AsyncProjection, type Checkpoint, type EventStore, type InlineProjection, type StoredEvent } from './types.ts';

/** Checkpoint / lock name of an async projection. */
export const projectionCheckpoint = (name: string): string => `projection:${name}`;

export interface ProjectionRunner extends PollLoop {
  /** One batch now; events applied, or null if another instance holds the lock. */
  runOnce(): Promise<number | null>;
}

/**
 * Feed `projection` from the log, checkpointed in es_checkpoints (`projection:<name>`).
 * @example const runner = startProjection({ store, projection: shareStats, pollMs: 100 });
 */
export function startProjection(opts: {
  store: EventStore;
  projection: AsyncProjection;
  pollMs?: number;
  batchSize?: number;
  logger?: LoggerLike;
  autoStart?: boolean;
}): ProjectionRunner {
  const { projection } = opts;
  const batchSize = opts.batchSize ?? 500;
  const pollMs = opts.pollMs ?? 150;
  const idle = idleProbe({ store: opts.store, types: projection.handles }, maxIdleSkips(pollMs));
  const runOnce = () =>
    runBatch({
      store: opts.store,
      checkpoint: projectionCheckpoint(projection.name),
      batchSize,
      types: projection.handles,
      onCommitted: idle.remember,
      handle: (trx, events) => projection.apply(trx, events),
    });
  const loop: PollLoop =
    opts.autoStart === false
      ? { notify() {}, async stop() {} }
      : startPollLoop({ runOnce, batchSize, pollMs, logger: opts.logger, what: projectionCheckpoint(projection.name), idle });
  return { runOnce, notify: loop.notify, stop: loop.stop };
}

export interface RebuildProgress {
  events: number;
  lastPosition: string;
}

export interface RebuildResult {
  events: number;
  ms: number;
}

/**
 * Inline projection with `shadow` hooks: replayed into a shadow schema without locking es_events,
 * then swapped in by one short transaction that holds appends only for the last catch-up
 * (shadow-rebuild.ts).
 *
 * Otherwise: truncate the projection's tables and replay every event it handles, in one
 * transaction (readers see the old rows until the new ones are complete).
 *
 * Inline projection (one of `store.inlineProjections`): its rows are written by appending
 * transactions, so the rebuild takes a SHARE lock on es_events — it waits for in-flight appends and
 * blocks new ones until it commits — and then every row in the table is committed history.
 * Async projection: its rows are written only under its batch lock, so the rebuild takes that lock,
 * resets the checkpoint and catches up gap-safe; the runner continues from where the rebuild stopped.
 * @example await rebuildProjection(store, shareView, { onProgress: (p) => log.info(p, 'rebuild') });
 */
export async function rebuildProjection(
  store: EventStore,
  projection: InlineProjection | AsyncProjection,
  opts: { onProgress?: (p: RebuildProgress) => void; batchSize?: number } = {},
): Promise<RebuildResult> {
  const started = performance.now();
  const inline = store.inlineProjections.some((p) => p.name === projection.name);
  const batchSize = opts.batchSize ?? 10_000;
  if (inline && projection.shadow) {
    await analyzeLog(store);
    const events = await rebuildViaShadow(store, { ...projection, shadow: projection.shadow }, { batchSize, onProgress: opts.onProgress });
    return { events, ms: performance.now() - started };
  }
  const events = await store.transaction(async (trx) => {
    if (inline) await sql`lock table ${sql.id(store.schema)}.es_events in share mode`.execute(trx);
    else await batchLock(trx, store.schema, projectionCheckpoint(projection.name));
    await analyzeLog(store, trx);
    await projection.truncate(trx);
    const read = inline
      ? (after: Checkpoint) => readAllUnfenced(trx, store.schema, after, batchSize, projection.handles)
      : (after: Checkpoint) => readAllEvents(store.db, store.schema, after, batchSize, { trx, types: projection.handles });
    const { count, last } = await replay(trx, projection, read, opts.onProgress);
    if (!inline) await saveCheckpoint(trx, store.schema, projectionCheckpoint(projection.name), last);
    return count;
  });
  return { events, ms: performance.now() - started };
}

/**
 * Fresh planner statistics first: right after a bulk load (restore, import, a seeded bench)
 * es_events has none, and the planner then answers each keyset page with a bitmap scan of EVERY
 * remaining row plus a top-N sort instead of an ordered index scan that stops at the limit, making
 * the replay quadratic. ANALYZE samples a bounded number of rows, so this costs the same on a
 * million events; only the columns the keyset reads filter and order on (the jsonb payloads are the
 * expensive ones to analyse).
 */
async function analyzeLog(store: EventStore, trx?: AnyTrx): Promise<void> {
  await sql`analyze ${sql.id(store.schema)}.es_events (transaction_id, position, type)`.execute(trx ?? store.db);
}

async function replay(
  trx: AnyTrx,
  projection: InlineProjection,
  read: (after: Checkpoint) => Promise<StoredEvent[]>,
  onProgress?: (p: RebuildProgress) => void,
): Promise<{ count: number; last: Checkpoint }> {
  let last: Checkpoint = { ...START };
  let count = 0;
  for (;;) {
    const batch = await read(last);
    if (batch.length === 0) return { count, last };
    await projection.apply(trx, batch);
    count += batch.length;
    last = checkpointOf(batch[batch.length - 1]!);
    onProgress?.({ events: count, lastPosition: last.position });
  }
}
