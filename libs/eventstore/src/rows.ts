/**
 * The one place where es_events rows become StoredEvents.
 *
 * Bulk reads (readAll, rebuild) come back as ONE json array built by the server (`eventsJson`):
 * parsing one JSON document is several times faster in Node than the driver's per-row, per-column
 * text parsing, and it is what lets a rebuild replay well over 50 000 events/s. xid8 and int8 are
 * rendered as text and occurred_at as ISO-8601 in SQL, so pg and PGlite return identical shapes.
 */
import { sql, type RawBuilder } from 'kysely';
import type { AnyDb, AnyTrx, StoredEvent } from './types.ts';

const OCCURRED_AT = `to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The StoredEvent columns of an `es_events` row, named as the JSON keys. Serialised with
 * json_agg over a row (row_to_json), which the server builds about a quarter faster than the
 * same object through json_build_object.
 */
const EVENT_COLUMNS = `event_id as "id", type as "type", version as "version", stream_id as "streamId",
  stream_version as "streamVersion", position::text as "position", transaction_id::text as "transactionId",
  ${OCCURRED_AT} as "occurredAt", data as "data", metadata as "metadata", public as "public"`;

/**
 * Wrap a `select * from es_events ... order by ... limit` into one json array.
 * The inner query must select `*` (the raw columns) so EVENT_COLUMNS can read them, and must
 * itself be ORDERED as `order` says: json_agg then keeps that order (no join or grouping above
 * it). An `order by` inside json_agg would sort the built objects again, spilling 10k-event
 * batches to temp files under the default work_mem (it was most of a rebuild's read time);
 * `fetchEvents` checks the order and sorts only if the server did not keep it.
 */
function eventsJson(inner: RawBuilder<unknown>): RawBuilder<{ events: StoredEvent[] }> {
  return sql<{ events: StoredEvent[] }>`
    select coalesce(json_agg(r), '[]'::json) as events from (select ${sql.raw(EVENT_COLUMNS)} from (${inner}) e) r`;
}

/** `global`: (transaction_id, position), the gap-safe order; `stream`: stream_version. */
export type EventOrder = 'global' | 'stream';

/** Run a bulk event read built with `eventsJson`; the inner query orders by `order`. */
export async function fetchEvents(db: AnyDb | AnyTrx, inner: RawBuilder<unknown>, order: EventOrder): Promise<StoredEvent[]> {
  const { rows } = await eventsJson(inner).execute(db);
  const events = rows[0]?.events ?? [];
  for (const e of events) if (e.metadata === null) e.metadata = {};
  const compare = order === 'global' ? byGlobalOrder : byStreamVersion;
  for (let i = 1; i < events.length; i++) {
    if (compare(events[i - 1]!, events[i]!) > 0) return events.sort(compare);
  }
  return events;
}

/** Decimal strings without leading zeros (xid8, int8 as text): shorter is smaller. */
function compareDecimal(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function byGlobalOrder(a: StoredEvent, b: StoredEvent): number {
  return compareDecimal(a.transactionId, b.transactionId) || compareDecimal(a.position, b.position);
}

function byStreamVersion(a: StoredEvent, b: StoredEvent): number {
  return a.streamVersion - b.streamVersion;
}
