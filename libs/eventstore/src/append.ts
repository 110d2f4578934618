/**
 * Appending with optimistic concurrency in ONE statement (one round trip when no inline projection
 * needs a transaction): a CTE reads the stream's current version, inserts the batch numbered from it
 * only when it equals the expected version, and returns the stored rows. Zero rows back means the
 * check failed. Two writers that both read the same version race on unique(stream_id,
 * stream_version): the loser blocks until the winner commits, then gets 23505, mapped to
 * ConcurrencyError — so the check is exact without any lock.
 */
import { randomUUID } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import { STREAM_VERSION_CONSTRAINT } from './migrate.ts';
import { streamVersion } from './read.ts';
import {
  ConcurrencyError,
  type AnyDb,
  type AnyTrx,
  type AppendResult,
  type EventMetadata,
  type ExpectedVersion,
  type InlineProjection,
  type NewEvent,
  type StoredEvent,
} from './types.ts';

/** What the insert returns per row; the rest of the StoredEvent is known before the round trip. */
interface InsertedRow {
  position: string;
  transaction_id: string;
  stream_version: number;
}

/** A NewEvent with every default resolved (sent to the server as one jsonb array). */
interface EventDoc {
  id: string;
  type: string;
  version: number;
  data: unknown;
  metadata: EventMetadata;
  occurredAt: string;
  public: boolean;
}

/** What one append needs from its store. */
export interface AppendContext {
  db: AnyDb;
  schema: string;
  inlineProjections: readonly InlineProjection[];
}

/**
 * Append `events` to `streamId` if its version is `expectedVersion`; run inline projections in the
 * same transaction. Throws ConcurrencyError on a version mismatch or a lost race.
 */
export async function appendEvents(
  ctx: AppendContext,
  streamId: string,
  events: readonly NewEvent[],
  opts: { expectedVersion: ExpectedVersion; trx?: AnyTrx },
): Promise<AppendResult> {
  const projections = interestedProjections(ctx.inlineProjections, events);
  if (opts.trx) return appendIn(opts.trx, ctx.schema, projections, streamId, events, opts.expectedVersion);
  // 'any' has no version to conflict with, so a lost race on the next version number is retried.
  const attempts = opts.expectedVersion === 'any' ? 3 : 1;
  for (let i = 1; ; i++) {
    try {
      if (projections.length === 0) return await appendIn(ctx.db, ctx.schema, projections, streamId, events, opts.expectedVersion);
      return await ctx.db.transaction().execute((trx) => appendIn(trx, ctx.schema, projections, streamId, events, opts.expectedVersion));
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || i >= attempts) throw err;
    }
  }
}

async function appendIn(
  db: AnyDb | AnyTrx,
  schema: string,
  projections: readonly InlineProjection[],
  streamId: string,
  events: readonly NewEvent[],
  expected: ExpectedVersion,
): Promise<AppendResult> {
  if (events.length === 0) return { nextVersion: await checkOnly(db, schema, streamId, expected), events: [] };
  const docs = events.map(toDoc);
  const statement = docs.length === 1 && docs[0] && expected !== 'any'
    ? insertOneStatement(schema, streamId, docs[0], expected === 'no_stream' ? 0 : expected)
    : insertStatement(schema, streamId, docs, expected);
  let rows: InsertedRow[];
  try {
    rows = (await statement.execute(db)).rows;
  } catch (err) {
    if (isStreamVersionViolation(err)) throw new ConcurrencyError(streamId, expected, await safeVersion(db, schema, streamId), { cause: err });
    throw err;
  }
  if (rows.length === 0) throw new ConcurrencyError(streamId, expected, await streamVersion(db, schema, streamId));
  const stored = rows.map((row, i): StoredEvent => ({
    ...docs[i]!,
    streamId,
    streamVersion: row.stream_version,
    position: row.position,
    transactionId: row.transaction_id,
  }));
  for (const p of projections) {
    const mine = stored.filter((e) => p.handles.includes(e.type));
    if (mine.length > 0) await p.apply(db as AnyTrx, mine);
  }
  return { nextVersion: stored[stored.length - 1]!.streamVersion, events: stored };
}

/**
 * Returns only what the server decides (position, xid, version); everything else is echoed from the
 * docs, which keeps the single round trip small (no jsonb re-serialisation of the payload).
 */
function insertStatement(schema: string, streamId: string, events: readonly EventDoc[], expected: ExpectedVersion): RawBuilder<InsertedRow> {
  const docs = JSON.stringify(events);
  const check = expected === 'any' ? sql`true` : sql`cur.v = ${expected === 'no_stream' ? 0 : expected}`;
  const t = sql`${sql.id(schema)}.es_events`;
  return sql<InsertedRow>`
    with cur as (select coalesce(max(stream_version), 0) as v from ${t} where stream_id = ${streamId}),
    ins as (
      insert into ${t} (event_id, stream_id, stream_version, type, version, data, metadata, occurred_at, public)
      select (e.doc->>'id')::uuid, ${streamId}, cur.v + e.ord::int, e.doc->>'type', (e.doc->>'version')::int,
             e.doc->'data', e.doc->'metadata', (e.doc->>'occurredAt')::timestamptz, (e.doc->>'public')::boolean
      from cur, jsonb_array_elements(${docs}::jsonb) with ordinality as e(doc, ord)
      where ${check}
      returning position::text as position, transaction_id::text as transaction_id, stream_version
    )
    select * from ins order by stream_version`;
}

/**
 * The common case, one event with a known expected version, as a plain single-row INSERT (no
 * jsonb array to build and unpack, no max() over the stream): the new version is expected + 1,
 * and the row goes in only if version `expected` exists (nothing to check for a new stream) and
 * version expected + 1 does not. The latter is `on conflict ... do nothing`, so a mismatch returns
 * zero rows like the general statement instead of raising 23505 into a caller's transaction; a
 * concurrent writer of the same version makes this one wait for its commit, then do nothing.
 * Safe for ONE row only: with several, do-nothing could skip some rows and keep others.
 */
function insertOneStatement(schema: string, streamId: string, doc: EventDoc, expected: number): RawBuilder<InsertedRow> {
  const t = sql`${sql.id(schema)}.es_events`;
  const guard = expected === 0 ? sql`` : sql`where exists (select 1 from ${t} where stream_id = ${streamId} and stream_version = ${expected}::int)`;
  return sql<InsertedRow>`
    insert into ${t} (event_id, stream_id, stream_version, type, version, data, metadata, occurred_at, public)
    select ${doc.id}::uuid, ${streamId}::text, ${expected + 1}::int, ${doc.type}::text, ${doc.version}::int,
           ${JSON.stringify(doc.data)}::jsonb, ${JSON.stringify(doc.metadata)}::jsonb, ${doc.occurredAt}::timestamptz, ${doc.public}::boolean
    ${guard}
    on conflict on constraint ${sql.id(STREAM_VERSION_CONSTRAINT)} do nothing
    returning position::text as position, transaction_id::text as transaction_id, stream_version`;
}

function toDoc(e: NewEvent): EventDoc {
  const metadata = e.metadata ?? {};
  return {
    id: e.id ?? randomUUID(),
    type: e.type,
    version: e.version ?? 1,
    // `null` instead of undefined so the jsonb column (not null) always gets a value.
    data: e.data === undefined ? null : e.data,
    metadata,
    // Normalised to what a read returns (UTC, ms). Default: the append time (application clock).
    occurredAt: new Date(metadata.occurredAt ?? Date.now()).toISOString(),
    public: e.public ?? false,
  };
}

async function checkOnly(db: AnyDb | AnyTrx, schema: string, streamId: string, expected: ExpectedVersion): Promise<number> {
  const actual = await streamVersion(db, schema, streamId);
  const ok = expected === 'any' || actual === (expected === 'no_stream' ? 0 : expected);
  if (!ok) throw new ConcurrencyError(streamId, expected, actual);
  return actual;
}

/** After a unique violation the caller's transaction is aborted; reading the version may fail too. */
async function safeVersion(db: AnyDb | AnyTrx, schema: string, streamId: string): Promise<number> {
  try {
    return await streamVersion(db, schema, streamId);
  } catch {
    return -1;
  }
}

function isStreamVersionViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e.code !== '23505') return false;
  return e.constraint === STREAM_VERSION_CONSTRAINT || String(e.message).includes(STREAM_VERSION_CONSTRAINT);
}

function interestedProjections(all: readonly InlineProjection[], events: readonly NewEvent[]): InlineProjection[] {
  return all.filter((p) => events.some((e) => p.handles.includes(e.type)));
}
