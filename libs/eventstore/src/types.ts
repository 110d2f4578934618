/**
 * Public shapes of the event store. Every service owns one PostgreSQL schema holding:
 *   es_events        append-only log (position bigserial, transaction_id xid8, stream_id, stream_version, ...)
 *   es_checkpoints   one row per relay / async projection: last (transaction_id, position) handled
 *   es_inbox         (consumer, message_id) of processed incoming messages, for exactly-once handling
 *   es_idempotency   (scope, key) → request hash + stored response, for Idempotency-Key
 * plus the service's own read-model tables (its own migrations).
 */
import type { Kysely, Transaction } from 'kysely';

/** Kysely instance whose search_path / table names are resolved by the store (schema-qualified). */
export type AnyDb = Kysely<any>;
export type AnyTrx = Transaction<any>;

/** An event to append. `id` is a uuid chosen by the caller (or generated when absent). */
export interface NewEvent<T extends string = string, D = unknown> {
  id?: string;
  type: T;
  /** Schema version of `data`; default 1. */
  version?: number;
  data: D;
  metadata?: EventMetadata;
  /** Published by the outbox relay to the bus (integration event). Default false. */
  public?: boolean;
}

export interface EventMetadata {
  correlationId?: string;
  causationId?: string;
  userId?: string;
  /** ISO time the business fact happened; default the append time. */
  occurredAt?: string;
  [k: string]: unknown;
}

export interface StoredEvent<T extends string = string, D = unknown> {
  id: string;
  type: T;
  version: number;
  streamId: string;
  streamVersion: number;
  /** Global position as a decimal string (bigint). */
  position: string;
  /** xid8 of the appending transaction, as a decimal string. */
  transactionId: string;
  occurredAt: string;
  data: D;
  metadata: EventMetadata;
  public: boolean;
}

/** `no_stream`: the stream must not exist; `any`: no check; a number: the stream's current version. */
export type ExpectedVersion = 'no_stream' | 'any' | number;

export class ConcurrencyError extends Error {
  readonly code = 'concurrency_conflict';
  constructor(readonly streamId: string, readonly expected: ExpectedVersion, readonly actual: number, options?: { cause?: unknown }) {
    super(`stream ${streamId}: expected version ${String(expected)}, actual ${actual}`, options);
    this.name = 'ConcurrencyError';
  }
}

/** Position in committed history: events strictly after it are unread. */
export interface Checkpoint {
  transactionId: string;
  position: string;
}
export const START: Checkpoint = { transactionId: '0', position: '0' };

/** Runs inside the append transaction; must be deterministic given the events. */
export interface InlineProjection {
  name: string;
  /** Event types it handles (others are not passed). */
  handles: readonly string[];
  apply(trx: AnyTrx, events: StoredEvent[]): Promise<void>;
  /** Delete every row of its read models (rebuild starts from here). */
  truncate(trx: AnyTrx): Promise<void>;
  /**
   * Optional: lets a rebuild replay into a shadow schema and swap the tables in, holding appends
   * only for the final catch-up (see shadow-rebuild.ts). Without it a rebuild locks es_events for
   * its whole replay.
   */
  shadow?: ShadowRebuild;
}

/** How an inline projection is rebuilt beside the live tables. */
export interface ShadowRebuild {
  /** Its read-model tables (unqualified names in the projection's schema); nothing else may depend on them. */
  tables: readonly string[];
  /** The same projection writing to the same tables in `schema`. */
  forSchema(schema: string): InlineProjection;
  /**
   * Runs in the swap transaction, live and shadow tables both locked, just before the live ones are
   * dropped: copy over state that is not derived from events (e.g. worker leases).
   */
  carryOver?(trx: AnyTrx, liveSchema: string, shadowSchema: string): Promise<void>;
}

/** A stored event as read back, with the store's filter options for `readAll`. */
export interface ReadAllOptions {
  /** Only these event types. */
  types?: readonly string[];
  /** Only events flagged `public` (the relay's view). */
  publicOnly?: boolean;
  /** Run inside this transaction instead of the pool. */
  trx?: AnyTrx;
}

export interface AppendOptions {
  expectedVersion: ExpectedVersion;
  /** Append inside the caller's transaction (with its other writes); inline projections run in it too. */
  trx?: AnyTrx;
}

export interface AppendResult {
  /** The stream's version after the append (= last event's streamVersion). */
  nextVersion: number;
  events: StoredEvent[];
}

/** The fold of a stream: its state and the version it was built from (0 for no stream). */
export interface Aggregate<S> {
  state: S;
  version: number;
}

/** The event store of one service schema. Every method is schema-qualified; no search_path. */
export interface EventStore {
  readonly db: AnyDb;
  readonly schema: string;
  readonly inlineProjections: readonly InlineProjection[];
  /** Idempotent DDL for es_events, es_checkpoints, es_inbox, es_idempotency. */
  migrate(): Promise<void>;
  append(streamId: string, events: readonly NewEvent[], opts: AppendOptions): Promise<AppendResult>;
  readStream(streamId: string, opts?: { fromVersion?: number; trx?: AnyTrx }): Promise<StoredEvent[]>;
  aggregate<S>(streamId: string, evolve: (state: S, event: StoredEvent) => S, initialState: S, opts?: { trx?: AnyTrx }): Promise<Aggregate<S>>;
  readAll(after: Checkpoint, limit: number, opts?: ReadAllOptions): Promise<StoredEvent[]>;
  transaction<T>(fn: (trx: AnyTrx) => Promise<T>): Promise<T>;
}

/** A projection checkpointed in es_checkpoints and fed by a poll loop (same shape as inline ones). */
export type AsyncProjection = InlineProjection;
