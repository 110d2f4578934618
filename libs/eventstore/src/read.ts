/**
 * Reading the log.
 *
 * Why not `where position > $last`: positions come from a sequence, taken when a row is inserted,
 * but rows become visible when their transaction commits. Tx A takes position 10, tx B takes 11 and
 * commits first: a reader by position sees 11, moves its checkpoint to 11 and skips 10 forever.
 *
 * Gap-safe instead: only rows whose transaction is older than the oldest transaction still running
 * (`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`) are read — every such transaction has
 * finished, so no row can appear later below that line — and ordered by (transaction_id, position),
 * i.e. roughly commit order, resuming strictly after the checkpoint tuple. The price: a long-running
 * transaction anywhere in the cluster holds back readers (latency, never loss).
 *
 * Beware ORDER BY on a column also output as text (`transaction_id::text as transaction_id`): a bare
 * ORDER BY name binds to the output column — text order ('10000' < '9999') — which silently loops or
 * skips pages once xids gain a digit. The inner queries here select raw columns only (see rows.ts).
 */
import { sql } from 'kysely';
import { fetchEvents } from './rows.ts';
import type { AnyDb, AnyTrx, Checkpoint, ReadAllOptions, StoredEvent } from './types.ts';

/**
 * Committed events strictly after `after`, in (transaction_id, position) order.
 * @example const batch = await readAllEvents(db, 'publisher', START, 500, { publicOnly: true });
 */
export async function readAllEvents(
  db: AnyDb | AnyTrx,
  schema: string,
  after: Checkpoint,
  limit: number,
  opts: ReadAllOptions = {},
): Promise<StoredEvent[]> {
  const types = opts.types ? sql`and type = any(${[...opts.types]}::text[])` : sql``;
  const pub = opts.publicOnly ? sql`and public` : sql``;
  const inner = sql`
    select * from ${sql.id(schema)}.es_events
    where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      and (transaction_id, position) > (${after.transactionId}::xid8, ${after.position}::bigint)
      ${types} ${pub}
    order by transaction_id, position
    limit ${limit}`;
  return fetchEvents(opts.trx ?? db, inner, 'global');
}

/**
 * Every event after `after` in (transaction_id, position) order, WITHOUT the snapshot filter. Only
 * correct while no appending transaction can be in flight (rebuild holds a SHARE lock on es_events).
 */
export async function readAllUnfenced(trx: AnyTrx, schema: string, after: Checkpoint, limit: number, types?: readonly string[]): Promise<StoredEvent[]> {
  const byType = types ? sql`and type = any(${[...types]}::text[])` : sql``;
  const inner = sql`
    select * from ${sql.id(schema)}.es_events
    where (transaction_id, position) > (${after.transactionId}::xid8, ${after.position}::bigint) ${byType}
    order by transaction_id, position
    limit ${limit}`;
  return fetchEvents(trx, inner, 'global');
}

/** Events of one stream from `fromVersion` (inclusive, default 1), in version order. */
export async function readStreamEvents(db: AnyDb | AnyTrx, schema: string, streamId: string, fromVersion = 1): Promise<StoredEvent[]> {
  const inner = sql`select * from ${sql.id(schema)}.es_events where stream_id = ${streamId} and stream_version >= ${fromVersion} order by stream_version`;
  return fetchEvents(db, inner, 'stream');
}

/** Current version of a stream (0 when it does not exist). */
export async function streamVersion(db: AnyDb | AnyTrx, schema: string, streamId: string): Promise<number> {
  const { rows } = await sql<{ v: number }>`
    select coalesce(max(stream_version), 0)::int as v from ${sql.id(schema)}.es_events where stream_id = ${streamId}`.execute(db);
  return rows[0]?.v ?? 0;
}

/** The checkpoint just after `event` (what a reader stores once it has handled it). */
export function checkpointOf(event: StoredEvent): Checkpoint {
  return { transactionId: event.transactionId, position: event.position };
}
