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

  // Which responders / subscribers match a subject, memoised per subject: a request or publish
  // otherwise scans (and tokenises against) every registration. Any respond/subscribe/stop clears
  // the memo; it is bounded because subjects can be unbounded (per-prefix tests, per-id subjects).
  const matchMemo = {
    responders: new Map<string, { plain: Responder[]; groups: Responder[][] }>(),
    subscribers: new Map<string, Subscriber[]>(),
  };
  const MEMO_LIMIT = 10_000;
  const remember = <V>(memo: Map<string, V>, subject: string, value: V): V => {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(subject, value);
    return value;
  };
  // Subjects already validated by assertSubject (bounded like the memo).
  const validSubjects = new Set<string>();
  const checkSubject = (subject: string) => {
    if (validSubjects.has(subject)) return;
    assertSubject(subject, false);
    if (validSubjects.size >= MEMO_LIMIT) validSubjects.clear();
    validSubjects.add(subject);
  };

  const matchingSubscribers = (subject: string): Subscriber[] =>
    matchMemo.subscribers.get(subject) ??
    remember(matchMemo.subscribers, subject, [...subscribers].filter((s) => subjectMatches(s.pattern, subject)));

  /** Core-NATS fan-out: every matching subscriber sees the message, asynchronously. */
  const fanOut = (subject: string, data: Uint8Array) => {
    for (const s of matchingSubscribers(subject)) {
      const copy = data.slice();
      queueMicrotask(() => {
        try { s.handler(subject, copy); } catch (err) { logger.error({ err, subject }, 'subscriber threw'); }
      });
    }
  };

  /** Matching responders in registration order: plain ones, and queue groups with their members. */
  const matchingResponders = (subject: string) => {
    const hit = matchMemo.responders.get(subject);
    if (hit) return hit;
    const plain: Responder[] = [];
    const groups = new Map<string, Responder[]>();
    for (const r of responders) {
      if (!subjectMatches(r.pattern, subject)) continue;
      if (r.queue === undefined) plain.push(r);
      else groups.set(r.queue, [...(groups.get(r.queue) ?? []), r]);
    }
    return remember(matchMemo.responders, subject, { plain, groups: [...groups.values()] });
  };

  /** All plain responders get the request; each queue group picks one member (round robin). */
  const pickResponders = (subject: string): Responder[] => {
    const { plain, groups } = matchingResponders(subject);
    if (groups.length === 0) return plain;
    const picked: Responder[] = [...plain];
    for (const members of groups) {
      const r = members[roundRobin++ % members.length];
      if (r !== undefined) picked.push(r);
    }
    return picked;
  };

  const forgetMatches = () => {
    matchMemo.responders.clear();
    matchMemo.subscribers.clear();
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
      checkSubject(subject);
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
      checkSubject(subject);
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
      forgetMatches();
      return { stop: async () => { responders.delete(r); forgetMatches(); } };
    },

    async subscribe(subject, handler) {
      assertOpen();
      assertSubject(subject, true);
      const s: Subscriber = { pattern: subject, handler };
      subscribers.add(s);
      forgetMatches();
      return { stop: async () => { subscribers.delete(s); forgetMatches(); } };
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
      forgetMatches();
    },
  };
}
