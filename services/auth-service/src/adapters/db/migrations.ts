/**
 * Private tables of the auth service (besides the event store's es_*):
 *   oauth_states    hashed, single-use OAuth states (never the state itself)
 *   account_tokens  encrypted tokens (JWE) + expiries; the only place tokens exist at rest
 *   accounts        read model, inline projection of the account events (rebuildable)
 */
import { sql } from 'kysely';
import type { AnyDb } from '@tiktok-share/eventstore/types.ts';

/** Idempotent DDL; concurrent starts are serialised by an advisory lock. */
export async function migrateAuth(db: AnyDb, schema: string): Promise<void> {
  const s = sql.id(schema);
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`auth-migrate:${schema}`}, 0))`.execute(trx);
    await sql`create schema if not exists ${s}`.execute(trx);
    await sql`create table if not exists ${s}.oauth_states (
      state_hash text primary key,
      user_id text not null,
      return_to text not null,
      expires_at timestamptz not null,
      created_at timestamptz not null
    )`.execute(trx);
    await sql`create index if not exists oauth_states_expires_idx on ${s}.oauth_states (expires_at)`.execute(trx);
    await sql`create table if not exists ${s}.account_tokens (
      account_id text primary key,
      open_id text not null,
      access_token_enc text not null,
      refresh_token_enc text not null,
      access_issued_at timestamptz not null,
      access_expires_at timestamptz not null,
      refresh_expires_at timestamptz not null,
      generation int not null default 1,
      updated_at timestamptz not null
    )`.execute(trx);
    await sql`create table if not exists ${s}.accounts (
      account_id text primary key,
      user_id text not null,
      open_id text not null,
      display_name text not null,
      avatar_url text,
      scopes jsonb not null,
      status text not null,
      reason text,
      connected_at timestamptz not null,
      access_expires_at timestamptz,
      refresh_expires_at timestamptz,
      updated_at timestamptz not null
    )`.execute(trx);
    await sql`create index if not exists accounts_user_idx on ${s}.accounts (user_id, connected_at)`.execute(trx);
    await sql`create index if not exists accounts_open_idx on ${s}.accounts (open_id)`.execute(trx);
  });
}
