/**
 * Declarative, idempotent JetStream provisioning (streams and durable pull consumers), limited to
 * NATS 2.9 features: one `filter_subject` per consumer, no 2.10 stream fields. Safe to run at
 * every boot by every instance: add when missing, update when the config drifted, and tolerate
 * losing an add race to a concurrent instance.
 */
import { nanos } from '@nats-io/transport-node';
import {
  AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, ReplayPolicy, RetentionPolicy, StorageType,
  type ConsumerConfig, type JetStreamManager, type StreamConfig,
} from '@nats-io/jetstream';
import type { ConsumeOptions, StreamDef } from './port.ts';
import { DEFAULT_ACK_WAIT_MS, DEFAULT_DUPLICATE_WINDOW_MS, DEFAULT_MAX_DELIVER } from './defaults.ts';

/** Names as they exist on the server: subjects get the prefix, stream/durable names its name form. */
export interface Naming {
  subject(logical: string): string;
  name(logical: string): string;
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

/** Creates the stream, or updates its subjects / dedupe window when they differ. */
export async function ensureStream(jsm: JetStreamManager, def: StreamDef, naming: Naming): Promise<void> {
  const wanted: Partial<StreamConfig> & { name: string } = {
    name: naming.name(def.name),
    subjects: def.subjects.map((s) => naming.subject(s)),
    duplicate_window: nanos(def.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const info = await jsm.streams.info(wanted.name);
      if (!sameStream(info.config, wanted)) {
        await jsm.streams.update(wanted.name, { subjects: wanted.subjects ?? [], duplicate_window: wanted.duplicate_window ?? 0 });
      }
      return;
    } catch (err) {
      if (!isApiError(err, JetStreamApiCodes.StreamNotFound) || attempt > 0) throw err;
    }
    try {
      await jsm.streams.add(wanted);
      return;
    } catch (err) {
      // Another instance may have created it meanwhile (possibly with older subjects): loop once
      // more through info → update.
      if (attempt > 0) throw err;
    }
  }
}

function sameStream(have: StreamConfig, want: Partial<StreamConfig>): boolean {
  const a = [...(have.subjects ?? [])].sort();
  const b = [...(want.subjects ?? [])].sort();
  return a.length === b.length && a.every((s, i) => s === b[i]) && have.duplicate_window === want.duplicate_window;
}

/**
 * The consumer config for a port `ConsumeOptions`.
 * - `max_ack_pending: 1`: one message in flight per durable across all instances, so handlers
 *   see the stream in order even when a message is nak'd (it blocks those behind it).
 * - `max_deliver` is one more than the port's `maxDeliver`: the adapter terminates on the last
 *   allowed failure itself (logging it); the extra delivery only exists for a message whose
 *   ack_wait expired on its last attempt, which the adapter then terminates without handling.
 */
export function consumerConfig(opts: ConsumeOptions, naming: Naming): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: naming.name(opts.durable),
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS),
    max_deliver: (opts.maxDeliver ?? DEFAULT_MAX_DELIVER) + 1,
    max_ack_pending: 1,
    deliver_policy: opts.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    filter_subject: naming.subject(opts.filterSubject),
    replay_policy: ReplayPolicy.Instant,
  };
}

/** Creates the durable, or updates its mutable fields when they differ. Returns the server names. */
export async function ensureConsumer(jsm: JetStreamManager, opts: ConsumeOptions, naming: Naming): Promise<{ stream: string; durable: string }> {
  const stream = naming.name(opts.stream);
  const cfg = consumerConfig(opts, naming);
  try {
    const info = await jsm.consumers.info(stream, cfg.durable_name);
    const c = info.config;
    if (c.ack_wait !== cfg.ack_wait || c.max_deliver !== cfg.max_deliver || c.filter_subject !== cfg.filter_subject || c.max_ack_pending !== cfg.max_ack_pending) {
      // deliver_policy is immutable and only matters for a new durable: not compared.
      await jsm.consumers.update(stream, cfg.durable_name, {
        ack_wait: cfg.ack_wait ?? 0, max_deliver: cfg.max_deliver ?? -1, filter_subject: cfg.filter_subject ?? '', max_ack_pending: 1,
      });
    }
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
    await jsm.consumers.add(stream, cfg);
  }
  return { stream, durable: cfg.durable_name };
}
