/**
 * The checkpointed batch runner shared by the outbox relay and async projections, and the poll loop
 * around it. One batch = one transaction: exclusive advisory lock (skip when another instance holds
 * it), re-read the checkpoint (another instance may have moved it), read gap-safe, handle, save the
 * checkpoint. A failure anywhere rolls the checkpoint back, so the batch is handled again: delivery
 * is at-least-once and handlers must be idempotent (the relay relies on JetStream msgId dedupe).
 */
import { loadCheckpoint, saveCheckpoint, tryBatchLock } from './checkpoints.ts';
import { checkpointOf, readAllEvents } from './read.ts';
import type { AnyTrx, EventStore, StoredEvent } from './types.ts';

/** The subset of a pino logger used here. */
export interface LoggerLike {
  error(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

export interface BatchSpec {
  store: EventStore;
  /** Checkpoint and lock name. */
  checkpoint: string;
  batchSize: number;
  types?: readonly string[];
  publicOnly?: boolean;
  handle(trx: AnyTrx, events: StoredEvent[]): Promise<void>;
}

/**
 * Run one batch. Returns the number of events handled, or `null` when another instance holds the lock.
 */
export async function runBatch(spec: BatchSpec): Promise<number | null> {
  const { store } = spec;
  return store.transaction(async (trx) => {
    if (!(await tryBatchLock(trx, store.schema, spec.checkpoint))) return null;
    const after = await loadCheckpoint(trx, store.schema, spec.checkpoint);
    const filter = { trx, ...(spec.types ? { types: spec.types } : {}), ...(spec.publicOnly ? { publicOnly: true } : {}) };
    const events = await readAllEvents(store.db, store.schema, after, spec.batchSize, filter);
    if (events.length === 0) return 0;
    await spec.handle(trx, events);
    await saveCheckpoint(trx, store.schema, spec.checkpoint, checkpointOf(events[events.length - 1]!));
    return events.length;
  });
}

export interface PollLoop {
  /** Wake the loop now (e.g. right after an append) instead of at the next tick. */
  notify(): void;
  /** Stop and wait for the batch in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Call `runOnce` forever: again at once after a full batch, else after `pollMs` or a `notify()`.
 * Errors are logged and retried with exponential backoff (capped at 5 s).
 */
export function startPollLoop(opts: { runOnce: () => Promise<number | null>; batchSize: number; pollMs: number; logger?: LoggerLike | undefined; what: string }): PollLoop {
  let stopped = false;
  let wake: (() => void) | undefined;
  let pending = false;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (pending || stopped) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      pending = false;
      let n: number | null = 0;
      try {
        n = await opts.runOnce();
        failures = 0;
      } catch (err) {
        failures++;
        opts.logger?.error({ err, what: opts.what, failures }, 'batch failed; retrying');
      }
      if (stopped) break;
      if (failures === 0 && n === opts.batchSize) continue;
      await sleep(failures > 0 ? Math.min(opts.pollMs * 2 ** failures, 5000) : opts.pollMs);
    }
  })();
  return {
    notify() {
      pending = true;
      wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
