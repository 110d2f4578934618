/**
 * How far behind the outbox relay is: public events committed (and visible to the gap-safe reader)
 * but not yet published, and the age of the oldest of them.
 */
import { sql } from 'kysely';
import type { AnyDb, Checkpoint } from './types.ts';

/** What the relay reports after each batch it ran (see `OutboxRelayOptions.onLag`). */
export interface OutboxLag {
  /** The relay's name. */
  name: string;
  /** Public events still unpublished after the batch. */
  events: number;
  /** Age of the oldest of them (ms, by the database clock); 0 when none. */
  ageMs: number;
}

/**
 * Public events after `after` that the relay can see (same snapshot fence as `readAllEvents`), and
 * the age of the oldest. One count query: the relay only asks after a full batch (a backlog).
 */
export async function outboxBacklog(db: AnyDb, schema: string, after: Checkpoint): Promise<{ events: number; ageMs: number }> {
  const { rows } = await sql<{ events: number; age_ms: number | string | null }>`
    select count(*)::int as events,
           (extract(epoch from (now() - min(occurred_at))) * 1000)::float8 as age_ms
    from ${sql.id(schema)}.es_events
    where public
      and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      and (transaction_id, position) > (${after.transactionId}::xid8, ${after.position}::bigint)`.execute(db);
  const row = rows[0];
  const events = row?.events ?? 0;
  return { events, ageMs: events > 0 ? Math.max(0, Number(row?.age_ms ?? 0)) : 0 };
}
