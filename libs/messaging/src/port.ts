/**
 * The messaging port every service codes against. Two adapters implement it:
 * NATS JetStream (`createNatsBus`) and in-process (`createInProcessBus`, embedded default).
 *
 * Subjects given to the port are logical (`tiktok.share.requested.v1`); an adapter created with
 * a `prefix` prepends it to every subject, stream and durable name, so tests sharing one NATS
 * server never see each other's traffic.
 */

/** A durable stream of events produced by one service. */
export interface StreamDef {
  /** Stream name, e.g. `TIKTOK_PUBLISHER`. */
  name: string;
  /** Subjects captured, e.g. `['tiktok.share.>']`. */
  subjects: string[];
  /** Dedupe window for `msgId`, ms. Default 2 min. */
  duplicateWindowMs?: number;
}

export interface PublishOptions {
  /** JetStream `Nats-Msg-Id`: the event id. Duplicates inside the window are dropped. */
  msgId: string;
  headers?: Record<string, string>;
}

/** One delivered message of a durable consumer. Exactly one of ack / nak / term must be called. */
export interface BusMessage {
  subject: string;
  data: Uint8Array;
  headers: Record<string, string>;
  /** 1 on first delivery. */
  deliveryCount: number;
  /** Stream sequence (monotonic per stream). */
  seq: number;
  ack(): void;
  /** Redeliver later (transient failure). */
  nak(delayMs?: number): void;
  /** Never redeliver (poison message). */
  term(reason?: string): void;
}

export interface ConsumeOptions {
  stream: string;
  /** `<consumer-service>--<purpose>`, e.g. `publisher--on-account-disconnected`. */
  durable: string;
  /** One filter subject (NATS 2.9). */
  filterSubject: string;
  /**
   * Called once per delivered message, in stream order per consumer (max one in flight).
   * If it returns without calling ack / nak / term, the adapter acks.
   * If it throws, the adapter naks with `retryDelayMs` (default 1000); after `maxDeliver`
   * deliveries (default 10) the message is terminated and logged.
   */
  handler: (msg: BusMessage) => Promise<void>;
  /**
   * Redelivery timeout of an unsettled message (default 30 s). The NATS adapter keeps it alive
   * while the handler runs (`working()`), so it only fires when the consuming process is gone.
   * The in-process adapter has no such timeout: its handler runs in the same process.
   */
  ackWaitMs?: number;
  maxDeliver?: number;
  retryDelayMs?: number;
  /** Where a new durable starts. Default `all`. */
  deliverPolicy?: 'all' | 'new';
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface RequestOptions {
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/** Raised by `request` when nobody answers in time (or no responder exists). */
export class RequestTimeoutError extends Error {
  readonly code = 'request_timeout';
  constructor(subject: string, options?: { cause?: unknown }) {
    super(`no reply on ${subject} in time`, options);
    this.name = 'RequestTimeoutError';
  }
}

export interface Bus {
  /** Idempotently create or update the streams (declarative provisioning at boot). */
  ensureStreams(defs: StreamDef[]): Promise<void>;
  /** Publish to a stream and wait for the server's ack. */
  publish(subject: string, data: Uint8Array, opts: PublishOptions): Promise<void>;
  /** Durable pull consumer; resumes where the durable left off. */
  consume(opts: ConsumeOptions): Promise<Subscription>;
  /** Core request/reply with timeout. */
  request(subject: string, data: Uint8Array, opts?: RequestOptions): Promise<Uint8Array>;
  /**
   * Answer requests on `subject`. Responders with the same `queue` share the load.
   * The handler's return value is the reply; a throw must be turned into a reply by the caller's
   * own envelope (see `libs/messaging/src/rpc.ts`), the port itself never replies with an error.
   */
  respond(subject: string, handler: (data: Uint8Array, headers: Record<string, string>) => Promise<Uint8Array>, opts?: { queue?: string }): Promise<Subscription>;
  /**
   * Ephemeral, at-most-once subscription (core NATS): sees messages published to matching
   * subjects from now on, including JetStream publishes. For live views such as SSE progress.
   */
  subscribe(subject: string, handler: (subject: string, data: Uint8Array) => void): Promise<Subscription>;
  /** True when the connection is up. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}
