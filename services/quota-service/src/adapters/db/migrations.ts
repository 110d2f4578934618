/**
 * The quota service's own tables (the event store migrates its es_* tables itself).
 * - quota_reservations / quota_creators: read model of the creator ledger (inline projection,
 *   rebuildable by replay).
 * - rate_windows: authoritative sliding-window state, NOT a projection. Rate grants live a minute;
 *   one row per (creator, endpoint) locked with SELECT … FOR UPDATE keeps them exact across
 *   instances with a bounded row, where an event stream would grow by one event per TikTok call.
 */
import { sql } from 'kysely';
import type { AnyDb } from '@tiktok-share/eventstore';

export async function migrateQuotaTables(db: AnyDb, schema: string): Promise<void> {
  const s = sql.id(schema);
  await sql`create table if not exists ${s}.quota_reservations (
    share_id text primary key,
    reservation_id text not null,
    open_id text not null,
    account_id text not null,
    mode text not null,
    status text not null,
    reserved_at timestamptz not null,
    counted_from timestamptz not null,
    ended_at timestamptz,
    release_reason text
  )`.execute(db);
  await sql`create index if not exists quota_reservations_open_id on ${s}.quota_reservations (open_id, status)`.execute(db);
  await sql`create index if not exists quota_reservations_live on ${s}.quota_reservations (reserved_at) where status = 'reserved'`.execute(db);
  await sql`create table if not exists ${s}.quota_creators (
    open_id text primary key,
    daily_exhausted_until timestamptz not null default 'epoch',
    drafts_exhausted_until timestamptz not null default 'epoch'
  )`.execute(db);
  await sql`create table if not exists ${s}.rate_windows (
    window_key text primary key,
    open_id text,
    endpoint text not null,
    grants jsonb not null default '[]'::jsonb
  )`.execute(db);
  await sql`create index if not exists rate_windows_open_id on ${s}.rate_windows (open_id)`.execute(db);
}
