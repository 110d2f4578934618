/**
 * The checkpointed batch runner shared by the outbox relay and async projections, and the poll loop
 * around it. One batch = one transaction: exclusive advisory lock (skip when another instance holds
 * it), re-read the checkpoint (another instance may have moved it), read gap-safe, handle, save the
 * checkpoint. A failure anywhere rolls the checkpoint back, so the batch is handled again: delivery
 * is at-least-once and handlers must be idempotent (the relay relies on JetStream msgId dedupe).
 */
import { loadCheckpoint, saveCheckpoint, tryBatchLock } from './checkpoints.ts';
import { checkpointOf, readAllEvents } from './read.ts';
import type { AnyTrx, Checkpoint, EventStore, StoredEvent } from './types.ts';

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
  /** After the batch committed: the checkpoint it left (saved, or the one it found when idle). */
  onCommitted?(checkpoint: Checkpoint): void;
}

/**
 * Run one batch. Returns the number of events handled, or `null` when another instance holds the lock.
 */
export async function runBatch(spec: BatchSpec): Promise<number | null> {
  const { store } = spec;
  let left: Checkpoint | undefined;
  const n = await store.transaction(async (trx) => {
    if (!(await tryBatchLock(trx, store.schema, spec.checkpoint))) return null;
    const after = await loadCheckpoint(trx, store.schema, spec.checkpoint);
    const events = await readAllEvents(store.db, store.schema, after, spec.batchSize, { trx, ...filterOf(spec) });
    left = after;
    if (events.length === 0) return 0;
    await spec.handle(trx, events);
    left = checkpointOf(events[events.length - 1]!);
    await saveCheckpoint(trx, store.schema, spec.checkpoint, left);
    return events.length;
  });
  // Only once committed: a rolled-back batch must not make the idle probe skip its events.
  if (left) spec.onCommitted?.(left);
  return n;
}

function filterOf(spec: Pick<BatchSpec, 'types' | 'publicOnly'>) {
  return { ...(spec.types ? { types: spec.types } : {}), ...(spec.publicOnly ? { publicOnly: true } : {}) };
}

export interface IdleProbe {
  /** Feed it every committed batch's checkpoint (BatchSpec.onCommitted). */
  remember(checkpoint: Checkpoint): void;
  /** True when a batch now would certainly find nothing: it may be skipped. */
  nothingNew(): Promise<boolean>;
}

/**
 * One read instead of a batch transaction (begin, lock, checkpoint, read, commit) for a poll that
 * finds nothing: is anything committed, gap-safe, after the last checkpoint this instance saw?
 * Safe because checkpoints only move forward under normal running, so "nothing after the one we
 * saw" implies "nothing after the stored one". A rebuild may move it back, and another instance may
 * move it on (we then just run a batch that finds where it is): every `maxSkips` skipped polls a
 * real batch runs anyway, which bounds how long such a reset can go unnoticed.
 */
export function idleProbe(spec: Pick<BatchSpec, 'store' | 'types' | 'publicOnly'>, maxSkips: number): IdleProbe {
  let seen: Checkpoint | undefined;
  let skips = 0;
  return {
    remember(checkpoint) {
      seen = checkpoint;
    },
    async nothingNew() {
      if (!seen || skips >= maxSkips) {
        skips = 0;
        return false;
      }
      const next = await readAllEvents(spec.store.db, spec.store.schema, seen, 1, filterOf(spec));
      if (next.length > 0) {
        skips = 0;
        return false;
      }
      skips++;
      return true;
    },
  };
}

/** Skipped idle polls between two real batches: about one real batch a second. */
export const maxIdleSkips = (pollMs: number): number => Math.max(1, Math.ceil(1000 / pollMs) - 1);

export interface PollLoop {
  /** Wake the loop now (e.g. right after an append) instead of at the next tick. */
  notify(): void;
  /** Stop and wait for the batch in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Call `runOnce` forever: again at once after a full batch, else after `pollMs` or a `notify()`.
 * Errors are logged and retried with exponential backoff (capped at 5 s). `idle`: when a poll was
 * woken by the timer only (no notify, previous batch short and fine), it may answer "nothing new"
 * and the batch is skipped.
 */
export function startPollLoop(opts: {
  runOnce: () => Promise<number | null>; batchSize: number; pollMs: number; logger?: LoggerLike | undefined; what: string; idle?: IdleProbe | undefined;
}): PollLoop {
  let stopped = false;
  let wake: (() => void) | undefined;
  let pending = false;
  /** Resolves true when the timer fired (nobody called notify meanwhile). */
  const sleep = (ms: number) =>
    new Promise<boolean>((resolve) => {
      if (pending || stopped) return resolve(false);
      const timer = setTimeout(() => done(true), ms);
      function done(byTimer: boolean) {
        clearTimeout(timer);
        wake = undefined;
        resolve(byTimer && !pending);
      }
      wake = () => done(false);
    });
  const loop = (async () => {
    let failures = 0;
    let quiet = false;
    while (!stopped) {
      pending = false;
      let n: number | null = 0;
      try {
        n = quiet && opts.idle && (await opts.idle.nothingNew()) ? 0 : await opts.runOnce();
        failures = 0;
      } catch (err) {
        failures++;
        opts.logger?.error({ err, what: opts.what, failures }, 'batch failed; retrying');
      }
      if (stopped) break;
      quiet = false;
      if (failures === 0 && n === opts.batchSize) continue;
      const byTimer = await sleep(failures > 0 ? Math.min(opts.pollMs * 2 ** failures, 5000) : opts.pollMs);
      quiet = byTimer && failures === 0;
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
