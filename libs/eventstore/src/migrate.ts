/**
 * DDL of the event-store tables in one service schema. Idempotent (`if not exists` everywhere), so
 * every service runs it at start; concurrent starts are serialised by an advisory lock because
 * `create ... if not exists` itself races on the catalog.
 */
import { sql } from 'kysely';
import type { AnyDb } from './types.ts';

/** Name of the unique constraint whose violation means "somebody appended this version first". */
export const STREAM_VERSION_CONSTRAINT = 'es_events_stream_version_uq';

/**
 * Create the schema and es_events, es_checkpoints, es_inbox, es_idempotency in it.
 * @example await migrateEventStore(db, 'publisher');
 */
export async function migrateEventStore(db: AnyDb, schema: string): Promise<void> {
  const s = sql.id(schema);
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`es-migrate:${schema}`}))`.execute(trx);
    await sql`create schema if not exists ${s}`.execute(trx);
    // transaction_id is what makes reading gap-safe: see read.ts.
    await sql`create table if not exists ${s}.es_events (
      position bigserial primary key,
      transaction_id xid8 not null default pg_current_xact_id(),
      event_id uuid not null unique,
      stream_id text not null,
      stream_version int not null,
      type text not null,
      version int not null default 1,
      data jsonb not null,
      metadata jsonb not null default '{}'::jsonb,
      occurred_at timestamptz not null default now(),
      public boolean not null default false,
      constraint ${sql.id(STREAM_VERSION_CONSTRAINT)} unique (stream_id, stream_version)
    )`.execute(trx);
    await sql`create index if not exists es_events_tx_pos_idx on ${s}.es_events (transaction_id, position)`.execute(trx);
    await sql`create table if not exists ${s}.es_checkpoints (
      name text primary key,
      transaction_id xid8 not null,
      position bigint not null,
      updated_at timestamptz not null default now()
    )`.execute(trx);
    await sql`create table if not exists ${s}.es_inbox (
      consumer text not null,
      message_id text not null,
      processed_at timestamptz not null default now(),
      primary key (consumer, message_id)
    )`.execute(trx);
    await sql`create table if not exists ${s}.es_idempotency (
      scope text not null,
      key text not null,
      request_hash text not null,
      response jsonb,
      created_at timestamptz not null default now(),
      primary key (scope, key)
    )`.execute(trx);
  });
}
