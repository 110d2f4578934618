/**
 * The in-process adapter (embedded default, `npm start` without NATS_URL): the same port
 * semantics as NATS JetStream, inside one process. Streams are in-memory logs with msgId dedupe;
 * durables keep their position for the life of the bus instance; request/reply honours queue
 * groups (one member per group answers) and times out like NATS (also with no responders).
 */
import type { Bus, ConsumeOptions, PublishOptions, RequestOptions, StreamDef, Subscription } from './port.ts';
import { RequestTimeoutError } from './port.ts';
import { defaultLogger, type BusLogger } from './logger.ts';
import { append, createMemStream, routeToStream, type MemStream } from './in-process-streams.ts';
import { newDurable, startConsumer, type DurableState } from './in-process-consumer.ts';
import { assertSubject, subjectMatches } from './subjects.ts';

import { DEFAULT_REQUEST_TIMEOUT_MS } from './defaults.ts';

type ReplyHandler = (data: Uint8Array, headers: Record<string, string>) => Promise<Uint8Array>;
interface Responder { pattern: string; queue: string | undefined; handler: ReplyHandler }
interface Subscriber { pattern: string; handler: (subject: string, data: Uint8Array) => void }

export interface InProcessBusOptions {
  logger?: BusLogger;
  /** Clock for the dedupe window; injectable for tests. */
  now?: () => number;
}

/**
 * @example
 * const bus = createInProcessBus();
 * await bus.ensureStreams([{ name: 'TIKTOK_PUBLISHER', subjects: ['tiktok.share.>'] }]);
 */
export function createInProcessBus(options: InProcessBusOptions = {}): Bus {
  const logger = options.logger ?? defaultLogger();
  const now = options.now ?? Date.now;
  const streams = new Map<string, MemStream>();
  const durables = new Map<string, DurableState>();
  const responders = new Set<Responder>();
  const subscribers = new Set<Subscriber>();
  const consumers = new Set<Subscription>();
  let roundRobin = 0;
  let closed = false;

  const assertOpen = () => { if (closed) throw new Error('bus is closed'); };

  /** Core-NATS fan-out: every matching subscriber sees the message, asynchronously. */
  const fanOut = (subject: string, data: Uint8Array) => {
    for (const s of subscribers) {
      if (!subjectMatches(s.pattern, subject)) continue;
      const copy = data.slice();
      queueMicrotask(() => {
        try { s.handler(subject, copy); } catch (err) { logger.error({ err, subject }, 'subscriber threw'); }
      });
    }
  };

  /** All plain responders get the request; each queue group picks one member (round robin). */
  const pickResponders = (subject: string): Responder[] => {
    const plain: Responder[] = [];
    const groups = new Map<string, Responder[]>();
    for (const r of responders) {
      if (!subjectMatches(r.pattern, subject)) continue;
      if (r.queue === undefined) plain.push(r);
      else groups.set(r.queue, [...(groups.get(r.queue) ?? []), r]);
    }
    const picked = [...groups.values()].map((members) => members[roundRobin++ % members.length]);
    return [...plain, ...picked.filter((r): r is Responder => r !== undefined)];
  };

  return {
    async ensureStreams(defs: StreamDef[]) {
      assertOpen();
      for (const def of defs) {
        for (const s of def.subjects) assertSubject(s, true);
        const existing = streams.get(def.name);
        if (existing) existing.def = { ...def };
        else streams.set(def.name, createMemStream(def));
      }
    },

    async publish(subject: string, data: Uint8Array, opts: PublishOptions) {
      assertOpen();
      assertSubject(subject, false);
      const stream = routeToStream(streams.values(), subject);
      if (!stream) throw new Error(`no stream captures subject ${subject}`);
      append(stream, { subject, data: data.slice(), headers: { ...opts.headers } }, opts.msgId, now());
      fanOut(subject, data);
    },

    async consume(opts: ConsumeOptions) {
      assertOpen();
      assertSubject(opts.filterSubject, true);
      const stream = streams.get(opts.stream);
      if (!stream) throw new Error(`stream ${opts.stream} not found`);
      const key = `${opts.stream}/${opts.durable}`;
      const state = durables.get(key) ?? newDurable(stream, opts.deliverPolicy);
      durables.set(key, state);
      const sub = startConsumer(stream, state, opts, logger);
      consumers.add(sub);
      return { stop: async () => { consumers.delete(sub); await sub.stop(); } };
    },

    async request(subject: string, data: Uint8Array, opts: RequestOptions = {}) {
      assertOpen();
      assertSubject(subject, false);
      fanOut(subject, data);
      const targets = pickResponders(subject);
      if (targets.length === 0) throw new RequestTimeoutError(subject, { cause: new Error('no responders') });
      return await new Promise<Uint8Array>((resolve, reject) => {
        const timer = setTimeout(() => reject(new RequestTimeoutError(subject)), opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
        for (const r of targets) {
          // A responder that throws never replies (the port has no error replies): the caller times out.
          Promise.resolve()
            .then(() => r.handler(data.slice(), { ...opts.headers }))
            .then((reply) => { clearTimeout(timer); resolve(reply.slice()); })
            .catch((err: unknown) => logger.error({ err, subject }, 'responder threw; no reply sent'));
        }
      });
    },

    async respond(subject, handler, opts = {}) {
      assertOpen();
      assertSubject(subject, true);
      const r: Responder = { pattern: subject, queue: opts.queue, handler };
      responders.add(r);
      return { stop: async () => { responders.delete(r); } };
    },

    async subscribe(subject, handler) {
      assertOpen();
      assertSubject(subject, true);
      const s: Subscriber = { pattern: subject, handler };
      subscribers.add(s);
      return { stop: async () => { subscribers.delete(s); } };
    },

    async healthy() {
      return !closed;
    },

    /** Stops consumers (waiting for in-flight handlers), then forgets responders and subscribers. */
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...consumers].map((c) => c.stop()));
      consumers.clear();
      responders.clear();
      subscribers.clear();
    },
  };
}
