/**
 * The durable pull-consumer loop on NATS JetStream.
 *
 * `consume({ max_messages: 1 })` plus `max_ack_pending: 1` on the consumer: one message in flight.
 * The client library handles idle heartbeats and re-issues pulls after a reconnect; this loop
 * adds what it does not: re-creating the durable when the server lost it (restart without the
 * JetStream store, or deleted by an operator), and restarting the pull after any failure with a
 * short backoff, so a consumer survives a NATS restart. After a reconnect it restarts the pull
 * itself rather than waiting for the library's heartbeat-driven recovery, which backs off by the
 * pull expiry when JetStream is still starting up (tens of seconds).
 *
 * Acks are confirmed (`ackAck`) before the next message is pulled: an ack lost in a server
 * restart would otherwise redeliver a message the service already handled. Consumers stay
 * idempotent anyway (inbox), this only keeps redeliveries rare.
 */
import type { JetStreamClient, JetStreamManager, JsMsg, ConsumerMessages } from '@nats-io/jetstream';
import type { BusMessage, ConsumeOptions, Subscription } from './port.ts';
import type { BusLogger } from './logger.ts';
import { dispatch } from './dispatch.ts';
import { DEFAULT_ACK_WAIT_MS } from './defaults.ts';
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
  /** Registers a callback for connection re-establishment; returns an unregister function. */
  onReconnect(listener: () => void): () => void;
}

/** Server-side expiry of each pull request; also sets the idle heartbeat (half of it). */
const PULL_EXPIRES_MS = 10_000;

/** Provisions the durable (errors surface to the caller), then starts the delivery loop. */
export async function startNatsConsumer(deps: NatsConsumerDeps, opts: ConsumeOptions): Promise<Subscription> {
  const names = await ensureConsumer(deps.jsm, opts, deps.naming);
  const log = { durable: names.durable, stream: names.stream };
  const ackWaitMs = opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  let stopped = false;
  let current: ConsumerMessages | undefined;
  let wakeSleep: () => void = () => {};

  const pullUntilStopped = async (): Promise<void> => {
    const consumer = await deps.js.consumers.get(names.stream, names.durable);
    current = await consumer.consume({ max_messages: 1, expires: PULL_EXPIRES_MS });
    watchStatus(current, deps, opts, log);
    for await (const m of current) {
      if (stopped) {
        // Pulled just before stop: hand it straight back instead of letting ack_wait expire.
        m.nak();
        break;
      }
      const { msg, confirmed } = toBusMessage(m, deps);
      // A slow but alive handler must not see its message redelivered when ack_wait expires
      // (with one in flight, the copy would queue behind it and run twice): `working()` resets
      // the server's ack timer. If the process dies, the heartbeats stop and ack_wait applies.
      const keepAlive = setInterval(() => m.working(), Math.max(50, Math.floor(ackWaitMs / 4)));
      try {
        await dispatch(msg, opts, deps.logger);
      } finally {
        clearInterval(keepAlive);
      }
      await confirmed();
    }
  };

  const unlisten = deps.onReconnect(() => {
    deps.logger.info(log, 'restarting pull after reconnect');
    current?.stop();
  });

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
      unlisten();
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

function toBusMessage(m: JsMsg, deps: NatsConsumerDeps): { msg: BusMessage; confirmed(): Promise<void> } {
  let pendingAck: Promise<unknown> = Promise.resolve();
  const msg: BusMessage = {
    subject: deps.logicalSubject(m.subject),
    data: m.data,
    headers: fromNatsHeaders(m.headers),
    deliveryCount: m.info.deliveryCount,
    seq: m.seq,
    ack: () => { pendingAck = m.ackAck(); },
    // nak with a delay is `-NAK {"delay": ns}` (server ≥ 2.7).
    nak: (delayMs?: number) => m.nak(delayMs),
    // Reasons on +TERM are a 2.10 feature: on 2.9 the adapter logs the reason instead.
    term: (reason?: string) => {
      if (reason) deps.logger.info({ subject: m.subject, seq: m.seq, reason }, 'message terminated');
      m.term();
    },
  };
  const confirmed = () => pendingAck.then(
    () => undefined,
    (err: unknown) => deps.logger.warn({ err, subject: m.subject, seq: m.seq }, 'ack not confirmed; the message may be redelivered'),
  );
  return { msg, confirmed };
}
