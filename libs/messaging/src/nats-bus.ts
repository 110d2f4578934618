/**
 * The NATS adapter: JetStream for streams and durable consumers, core NATS for request/reply and
 * ephemeral subscriptions. Reconnects forever (a service outlives NATS restarts); `close` drains.
 *
 * Isolation: with `prefix` `t1a2b3c4d5.`, logical subject `tiktok.share.x.v1` lives on the server
 * as `t1a2b3c4d5.tiktok.share.x.v1`, stream `TIKTOK_PUBLISHER` as `t1a2b3c4d5_TIKTOK_PUBLISHER`
 * (stream names can't contain dots), and so do durables. Handlers always see logical subjects.
 */
import { connect, RequestError, TimeoutError, NoRespondersError, type NatsConnection, type Msg } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Bus, ConsumeOptions, PublishOptions, RequestOptions, StreamDef, Subscription } from './port.ts';
import { RequestTimeoutError } from './port.ts';
import { defaultLogger, type BusLogger } from './logger.ts';
import { assertSubject, namePrefix, normalizePrefix } from './subjects.ts';
import { ensureStream, type Naming } from './nats-provision.ts';
import { startNatsConsumer } from './nats-consumer.ts';
import { fromNatsHeaders, toNatsHeaders } from './nats-headers.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './defaults.ts';

export interface NatsBusOptions {
  /** `nats://host:port`, or several (a comma-separated NATS_URL split by the caller, or here). */
  servers: string | string[];
  /** Test-isolation prefix, e.g. `t1a2b3c4d5.` (a trailing dot is added when missing). */
  prefix?: string;
  /** Connection name shown by the server (`nats server report connections`). */
  name?: string;
  logger?: BusLogger;
  /** Pause before a consumer re-pulls after a failure. Default 1000 ms. */
  consumerRestartDelayMs?: number;
}

/** The NATS bus also tells which server-side names it uses (tests clean up by them). */
export interface NatsBus extends Bus {
  readonly prefix: string;
  /** Server-side name of a logical stream or durable name. */
  serverName(logical: string): string;
  readonly connection: NatsConnection;
}

/**
 * Connects and returns the bus. Fails when the first connection cannot be made; after that it
 * reconnects indefinitely.
 * @example
 * const bus = await createNatsBus({ servers: process.env.NATS_URL!.split(','), name: 'publisher-service', logger });
 */
export async function createNatsBus(options: NatsBusOptions): Promise<NatsBus> {
  const logger = options.logger ?? defaultLogger();
  const prefix = normalizePrefix(options.prefix);
  const naming: Naming = {
    subject: (s) => `${prefix}${s}`,
    name: (n) => `${namePrefix(prefix)}${n}`,
  };
  const logicalSubject = (s: string) => (s.startsWith(prefix) ? s.slice(prefix.length) : s);
  const servers = typeof options.servers === 'string' ? options.servers.split(',').map((s) => s.trim()) : options.servers;
  const nc = await connect({
    servers,
    ...(options.name ? { name: options.name } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // The client otherwise builds an Error (a stack trace) per request in case it times out:
    // ~3 % of CPU on the share pipeline. Our errors carry the subject instead.
    noAsyncTraces: true,
  });
  const reconnectListeners = new Set<() => void>();
  watchConnection(nc, logger, () => { for (const l of reconnectListeners) l(); });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const consumers = new Set<Subscription>();
  const consumerDeps = { js, jsm, naming, logicalSubject, logger, restartDelayMs: options.consumerRestartDelayMs ?? 1000,
    onReconnect: (l: () => void) => { reconnectListeners.add(l); return () => { reconnectListeners.delete(l); }; },
  };

  return {
    prefix,
    connection: nc,
    serverName: naming.name,

    async ensureStreams(defs: StreamDef[]) {
      for (const def of defs) await ensureStream(jsm, def, naming);
    },

    async publish(subject: string, data: Uint8Array, opts: PublishOptions) {
      assertSubject(subject, false);
      const headers = toNatsHeaders(opts.headers);
      await js.publish(naming.subject(subject), data, { msgID: opts.msgId, ...(headers ? { headers } : {}) });
    },

    async consume(opts: ConsumeOptions) {
      assertSubject(opts.filterSubject, true);
      const sub = await startNatsConsumer(consumerDeps, opts);
      consumers.add(sub);
      return { stop: async () => { consumers.delete(sub); await sub.stop(); } };
    },

    async request(subject: string, data: Uint8Array, opts: RequestOptions = {}) {
      assertSubject(subject, false);
      const headers = toNatsHeaders(opts.headers);
      try {
        const reply = await nc.request(naming.subject(subject), data, {
          timeout: opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
          ...(headers ? { headers } : {}),
        });
        return reply.data;
      } catch (err) {
        // No responders is answered at once by the server; to callers it is the same failure
        // as a slow responder: nobody answered in time.
        if (err instanceof TimeoutError || err instanceof RequestError || err instanceof NoRespondersError) {
          throw new RequestTimeoutError(subject, { cause: err });
        }
        throw err;
      }
    },

    async respond(subject, handler, opts = {}) {
      assertSubject(subject, true);
      const reply = (msg: Msg) => {
        handler(msg.data, fromNatsHeaders(msg.headers))
          .then((out) => { msg.respond(out); })
          .catch((err: unknown) => logger.error({ err, subject }, 'responder threw; no reply sent'));
      };
      const sub = nc.subscribe(naming.subject(subject), {
        ...(opts.queue ? { queue: opts.queue } : {}),
        callback: (err, msg) => { if (err) logger.error({ err, subject }, 'responder subscription failed'); else reply(msg); },
      });
      return { stop: async () => { await sub.drain(); } };
    },

    async subscribe(subject, handler) {
      assertSubject(subject, true);
      const sub = nc.subscribe(naming.subject(subject), {
        callback: (err, msg) => {
          if (err) { logger.error({ err, subject }, 'subscription failed'); return; }
          try { handler(logicalSubject(msg.subject), msg.data); } catch (e) { logger.error({ err: e, subject }, 'subscriber threw'); }
        },
      });
      return { stop: async () => { if (!sub.isClosed()) sub.unsubscribe(); } };
    },

    async healthy() {
      if (nc.isClosed()) return false;
      const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), 2000).unref?.());
      return Promise.race([nc.rtt().then(() => true, () => false), timeout]);
    },

    /** Stops consumers (in-flight handlers finish and settle), then drains the connection. */
    async close() {
      if (nc.isClosed()) return;
      await Promise.all([...consumers].map((c) => c.stop()));
      consumers.clear();
      await nc.drain();
    },
  };
}

function watchConnection(nc: NatsConnection, logger: BusLogger, onReconnect: () => void): void {
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') logger.warn({ server: s.server }, 'NATS disconnected');
      else if (s.type === 'reconnect') {
        logger.info({ server: s.server }, 'NATS reconnected');
        onReconnect();
      }
      else if (s.type === 'error') logger.error({ err: s.error }, 'NATS connection error');
    }
  })().catch(() => undefined);
}
