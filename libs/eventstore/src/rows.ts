/**
 * The one place where es_events rows become StoredEvents. Every query selects `EVENT_COLUMNS`, which
 * casts xid8 to text and formats occurred_at in SQL, so pg and PGlite return identical shapes
 * (int8 as decimal strings, no Date objects, no driver-specific xid8 parsing).
 */
import { sql, type RawBuilder } from 'kysely';
import type { EventMetadata, StoredEvent } from './types.ts';

export interface EventRow {
  position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  version: number;
  data: unknown;
  metadata: EventMetadata | null;
  occurred_at: string;
  public: boolean;
}

/** Column list for `select`/`returning` (raw SQL, table alias-free). */
export const EVENT_COLUMNS: RawBuilder<unknown> = sql.raw(
  `position, transaction_id::text as transaction_id, event_id::text as event_id, stream_id, stream_version, type, version, data, metadata,
   to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at, public`,
);

/** Map one row (pg and PGlite alike) to the public shape. */
export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.event_id,
    type: row.type,
    version: row.version,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    position: String(row.position),
    transactionId: row.transaction_id,
    occurredAt: row.occurred_at,
    data: row.data,
    metadata: row.metadata ?? {},
    public: row.public,
  };
}
