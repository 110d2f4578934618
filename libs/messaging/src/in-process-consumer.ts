/**
 * A durable consumer over an in-memory stream. Mirrors the NATS adapter's configuration
 * (max_ack_pending = 1): one message in flight, and a nak'd message blocks the ones behind it
 * until it is redelivered and settled — strict stream order per durable.
 */
import type { BusMessage, ConsumeOptions, Subscription } from './port.ts';
import type { BusLogger } from './logger.ts';
import { dispatch } from './dispatch.ts';
import { nextMatching, type MemStream, type StoredMessage } from './in-process-streams.ts';

/** Position of a durable; lives as long as the bus instance. */
export interface DurableState {
  /** Next stream seq to look at; everything below is acked or terminated. */
  cursor: number;
  /** Deliveries so far of the message at the cursor. */
  deliveries: Map<number, number>;
  active: boolean;
}

type Outcome = { kind: 'ack' } | { kind: 'term' } | { kind: 'nak'; delayMs: number };

export function newDurable(stream: MemStream, deliverPolicy: ConsumeOptions['deliverPolicy']): DurableState {
  return { cursor: deliverPolicy === 'new' ? stream.lastSeq + 1 : 1, deliveries: new Map(), active: false };
}

/** Starts the delivery loop; `stop()` waits for the in-flight handler to finish. */
export function startConsumer(stream: MemStream, state: DurableState, opts: ConsumeOptions, logger: BusLogger): Subscription {
  if (state.active) throw new Error(`durable ${opts.durable} is already being consumed on this bus`);
  state.active = true;
  const stopper = createStopper();
  const loop = runLoop(stream, state, opts, logger, stopper).finally(() => { state.active = false; });
  return {
    async stop() {
      stopper.stop();
      await loop;
    },
  };
}

async function runLoop(stream: MemStream, state: DurableState, opts: ConsumeOptions, logger: BusLogger, stopper: Stopper): Promise<void> {
  while (!stopper.stopped) {
    const stored = nextMatching(stream, state.cursor, opts.filterSubject);
    if (!stored) {
      await stopper.race(new Promise<void>((resolve) => stream.waiters.add(resolve)));
      continue;
    }
    state.cursor = stored.seq; // skip non-matching messages for good
    const count = (state.deliveries.get(stored.seq) ?? 0) + 1;
    state.deliveries.set(stored.seq, count);
    const outcome = await deliverOnce(stored, count, opts, logger);
    if (outcome.kind === 'nak') {
      await stopper.race(sleep(outcome.delayMs));
      continue;
    }
    state.deliveries.delete(stored.seq);
    state.cursor = stored.seq + 1;
  }
}

async function deliverOnce(stored: StoredMessage, deliveryCount: number, opts: ConsumeOptions, logger: BusLogger): Promise<Outcome> {
  // Unsettled (handler hung and dispatch never settled) cannot happen: dispatch always settles.
  let outcome: Outcome = { kind: 'nak', delayMs: 0 };
  const msg: BusMessage = {
    subject: stored.subject,
    data: stored.data.slice(),
    headers: { ...stored.headers },
    deliveryCount,
    seq: stored.seq,
    ack: () => { outcome = { kind: 'ack' }; },
    nak: (delayMs?: number) => { outcome = { kind: 'nak', delayMs: delayMs ?? 0 }; },
    term: () => { outcome = { kind: 'term' }; },
  };
  await dispatch(msg, opts, logger);
  return outcome;
}

interface Stopper {
  readonly stopped: boolean;
  stop(): void;
  /** Resolves when `p` does or when stopped, whichever comes first. */
  race(p: Promise<void>): Promise<void>;
}

function createStopper(): Stopper {
  let stopped = false;
  let wake: () => void = () => {};
  const stoppedSignal = new Promise<void>((resolve) => { wake = resolve; });
  return {
    get stopped() { return stopped; },
    stop() { stopped = true; wake(); },
    race: (p) => Promise.race([p, stoppedSignal]),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
