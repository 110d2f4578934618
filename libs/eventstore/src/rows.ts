/**
 * The one place where es_events rows become StoredEvents.
 *
 * Bulk reads (readAll, rebuild) come back as ONE json array built by the server (`EVENTS_JSON`):
 * parsing one JSON document is several times faster in Node than the driver's per-row, per-column
 * text parsing, and it is what lets a rebuild replay well over 50 000 events/s. xid8 and int8 are
 * rendered as text and occurred_at as ISO-8601 in SQL, so pg and PGlite return identical shapes.
 */
import { sql, type RawBuilder } from 'kysely';
import type { AnyDb, AnyTrx, StoredEvent } from './types.ts';

const OCCURRED_AT = `to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A json object per row of `es_events` (alias-free, for `json_agg`). */
const EVENT_JSON = `json_build_object('id', event_id, 'type', type, 'version', version, 'streamId', stream_id,
  'streamVersion', stream_version, 'position', position::text, 'transactionId', transaction_id::text,
  'occurredAt', ${OCCURRED_AT}, 'data', data, 'metadata', metadata, 'public', public)`;

/**
 * Wrap a `select * from es_events ... order by ... limit` into one json array in `order`.
 * The inner query must select `*` (the raw columns) so the object above can read them.
 */
function eventsJson(inner: RawBuilder<unknown>, order: EventOrder): RawBuilder<{ events: StoredEvent[] }> {
  const by = order === 'global' ? sql.raw('e.transaction_id, e.position') : sql.raw('e.stream_version');
  return sql<{ events: StoredEvent[] }>`
    select coalesce(json_agg(${sql.raw(EVENT_JSON)} order by ${by}), '[]'::json) as events from (${inner}) e`;
}

/** `global`: (transaction_id, position), the gap-safe order; `stream`: stream_version. */
export type EventOrder = 'global' | 'stream';

/** Run a bulk event read built with `eventsJson`. */
export async function fetchEvents(db: AnyDb | AnyTrx, inner: RawBuilder<unknown>, order: EventOrder): Promise<StoredEvent[]> {
  const { rows } = await eventsJson(inner, order).execute(db);
  const events = rows[0]?.events ?? [];
  for (const e of events) if (e.metadata === null) e.metadata = {};
  return events;
}
