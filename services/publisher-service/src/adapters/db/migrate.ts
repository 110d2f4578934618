/**
 * Private tables of the publisher (besides the event store's es_*):
 *   shares      read model of the share view (inline projection, rebuildable)
 *   share_work  unfinished shares and their worker leases (inline projection of the share events:
 *               a row from ShareRequested until PublishCompleted / PublishFailed)
 */
import { sql } from 'kysely';
import type { AnyDb } from '@tiktok-share/eventstore/types.ts';

/** Idempotent DDL; concurrent starts are serialised by an advisory lock. */
export async function migratePublisher(db: AnyDb, schema: string): Promise<void> {
  const s = sql.id(schema);
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`publisher-migrate:${schema}`}, 0))`.execute(trx);
    await sql`create schema if not exists ${s}`.execute(trx);
    await sql`create table if not exists ${s}.shares (
      share_id text primary key,
      user_id text not null,
      account_id text not null,
      mode text not null,
      status text not null,
      title text not null,
      privacy_level text,
      is_aigc boolean not null,
      publish_id text,
      video_size bigint,
      uploaded_bytes bigint not null default 0,
      chunks_uploaded int not null default 0,
      total_chunks int,
      post_ids jsonb not null default '[]',
      failure jsonb,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(trx);
    await sql`create index if not exists shares_user_created_idx on ${s}.shares (user_id, created_at desc, share_id desc)`.execute(trx);
    await sql`create index if not exists shares_publish_idx on ${s}.shares (publish_id)`.execute(trx);
    await sql`create table if not exists ${s}.share_work (
      share_id text primary key,
      lease_owner text,
      lease_until timestamptz not null default '-infinity',
      not_before timestamptz not null default '-infinity',
      created_at timestamptz not null default now()
    )`.execute(trx);
    // The claim walks the oldest rows first and skips leased ones: without this it sorts the table.
    await sql`create index if not exists share_work_created_idx on ${s}.share_work (created_at)`.execute(trx);
  });
}
