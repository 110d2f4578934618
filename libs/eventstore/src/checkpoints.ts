/** es_checkpoints: one row per relay / async projection, the last (transaction_id, position) handled. */
import { sql } from 'kysely';
import { START, type AnyDb, type AnyTrx, type Checkpoint } from './types.ts';

/** The stored checkpoint of `name`, or START. */
export async function loadCheckpoint(db: AnyDb | AnyTrx, schema: string, name: string): Promise<Checkpoint> {
  const { rows } = await sql<{ transaction_id: string; position: string }>`
    select transaction_id::text as transaction_id, position::text as position
    from ${sql.id(schema)}.es_checkpoints where name = ${name}`.execute(db);
  const row = rows[0];
  return row ? { transactionId: row.transaction_id, position: row.position } : { ...START };
}

/** Upsert the checkpoint of `name`. */
export async function saveCheckpoint(db: AnyDb | AnyTrx, schema: string, name: string, cp: Checkpoint): Promise<void> {
  await sql`
    insert into ${sql.id(schema)}.es_checkpoints (name, transaction_id, position, updated_at)
    values (${name}, ${cp.transactionId}::xid8, ${cp.position}::bigint, now())
    on conflict (name) do update set transaction_id = excluded.transaction_id, position = excluded.position, updated_at = now()`.execute(db);
}

/**
 * Take the per-(schema, name) exclusive right to run one batch, for the rest of `trx`. Several
 * instances of a service may run the same relay/projection: only one batch at a time proceeds, the
 * others skip (no waiting, no double publish of a batch in parallel).
 */
export async function tryBatchLock(trx: AnyTrx, schema: string, name: string): Promise<boolean> {
  const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtext(${`${schema}:${name}`})) as ok`.execute(trx);
  return rows[0]?.ok === true;
}

/** Like tryBatchLock but waits (used by rebuild, which must not be skipped). */
export async function batchLock(trx: AnyTrx, schema: string, name: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`${schema}:${name}`}))`.execute(trx);
}
