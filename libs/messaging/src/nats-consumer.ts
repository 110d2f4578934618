/**
 * The durable pull-consumer loop on NATS JetStream.
 *
 * `consume({ max_messages: 1 })` plus `max_ack_pending: 1` on the consumer: one message in flight.
 * The client library handles idle heartbeats and re-issues pulls after a reconnect; this loop
 * adds what it does not: re-creating the durable when the server lost it (restart without the
 * JetStream store, or deleted by an operator), and restarting the pull after any failure with a
 * short backoff, so a consumer survives a NATS restart.
 */
import type { JetStreamClient, JetStreamManager, JsMsg, ConsumerMessages } from '@nats-io/jetstream';
import type { BusMessage, ConsumeOptions, Subscription } from './port.ts';
import type { BusLogger } from './logger.ts';
import { dispatch } from './dispatch.ts';
import { ensureConsumer, type Naming } from './nats-provision.ts';
import { fromNatsHeaders } from './nats-headers.ts';

export interface NatsConsumerDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  naming: Naming;
  /** Logical subject of a server subject (strips the prefix). */
  logicalSubject(subject: string): string;
  logger: BusLogger;
  /** Pause before re-pulling after a failure. */
  restartDelayMs: number;
}

/** Provisions the durable (errors surface to the caller), then starts the delivery loop. */
export async function startNatsConsumer(deps: NatsConsumerDeps, opts: ConsumeOptions): Promise<Subscription> {
  const names = await ensureConsumer(deps.jsm, opts, deps.naming);
  const log = { durable: names.durable, stream: names.stream };
  let stopped = false;
  let current: ConsumerMessages | undefined;
  let wakeSleep: () => void = () => {};

  const pullUntilStopped = async (): Promise<void> => {
    const consumer = await deps.js.consumers.get(names.stream, names.durable);
    current = await consumer.consume({ max_messages: 1 });
    watchStatus(current, deps, opts, log);
    for await (const m of current) {
      if (stopped) {
        // Pulled just before stop: hand it straight back instead of letting ack_wait expire.
        m.nak();
        break;
      }
      await dispatch(toBusMessage(m, deps), opts, deps.logger);
    }
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await pullUntilStopped();
      } catch (err) {
        if (!stopped) deps.logger.warn({ ...log, err }, 'consumer pull failed; restarting');
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wakeSleep = resolve;
        setTimeout(resolve, deps.restartDelayMs).unref?.();
      });
      if (!stopped) await ensureConsumer(deps.jsm, opts, deps.naming).catch((err: unknown) => deps.logger.warn({ ...log, err }, 'consumer re-provisioning failed'));
    }
  })();

  return {
    async stop() {
      stopped = true;
      wakeSleep();
      await current?.close().catch(() => undefined);
      await loop;
    },
  };
}

/** Logs noteworthy notifications and recreates a durable the server no longer knows. */
function watchStatus(messages: ConsumerMessages, deps: NatsConsumerDeps, opts: ConsumeOptions, log: object): void {
  void (async () => {
    for await (const s of messages.status()) {
      if (s.type === 'heartbeats_missed') deps.logger.warn({ ...log, missed: s.count }, 'consumer heartbeats missed');
      if (s.type === 'consumer_not_found' || s.type === 'consumer_deleted') {
        deps.logger.warn({ ...log, status: s.type }, 'durable missing on the server; re-provisioning');
        await ensureConsumer(deps.jsm, opts, deps.naming).catch((err: unknown) => deps.logger.warn({ ...log, err }, 're-provisioning failed'));
      }
    }
  })().catch(() => undefined);
}

function toBusMessage(m: JsMsg, deps: NatsConsumerDeps): BusMessage {
  return {
    subject: deps.logicalSubject(m.subject),
    data: m.data,
    headers: fromNatsHeaders(m.headers),
    deliveryCount: m.info.deliveryCount,
    seq: m.seq,
    ack: () => m.ack(),
    // nak with a delay is `-NAK {"delay": ns}` (server ≥ 2.7).
    nak: (delayMs?: number) => m.nak(delayMs),
    // Reasons on +TERM are a 2.10 feature: on 2.9 the adapter logs the reason instead.
    term: (reason?: string) => {
      if (reason) deps.logger.info({ subject: m.subject, seq: m.seq, reason }, 'message terminated');
      m.term();
    },
  };
}
