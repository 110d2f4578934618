/**
 * Rebuild of an inline projection that does not hold appends for the length of the replay.
 *
 * 1. Long phase, no lock on es_events: create `<schema>_rb_<name>`, copy each read-model table's
 *    shape there (`like … including all`: columns, defaults, checks, primary key and indexes, the
 *    indexes renamed to the live names so the service's `create index if not exists` still
 *    recognises them after the swap) and replay every committed event into it with the gap-safe
 *    reader, one short transaction per batch (a single long one would own an xid and hold back
 *    every gap-safe reader in the cluster — the relays — for the whole replay).
 * 2. Short phase, one transaction: SHARE lock on es_events (appends wait from here on), replay what
 *    was committed after the long phase's checkpoint (unfenced: no append can be in flight), let the
 *    projection carry non-derived state over (`carryOver`), drop the live tables and move the
 *    shadow ones into the schema. Readers see the old rows until the commit, then the new ones.
 *
 * Gap safety of the hand-over: the long phase read only transactions below the snapshot xmin, in
 * (transaction_id, position) order, so nothing can later commit below its checkpoint; the short
 * phase reads everything after it.
 */
import { sql } from 'kysely';
import { checkpointOf, readAllEvents, readAllUnfenced } from './read.ts';
import { START, type AnyDb, type AnyTrx, type Checkpoint, type EventStore, type InlineProjection, type ShadowRebuild, type StoredEvent } from './types.ts';

export interface ShadowRebuildOptions {
  batchSize: number;
  onProgress?: ((p: { events: number; lastPosition: string }) => void) | undefined;
}

/** Shadow schema of one projection's rebuild (one per projection: two rebuilds never share it). */
export const shadowSchemaOf = (schema: string, projection: string): string => `${schema}_rb_${projection}`;

/** Deadlock victims retry the short phase (a worker holding a read-model row lock, then appending). */
const SWAP_ATTEMPTS = 3;

/**
 * Rebuild `projection` (which has `shadow`) into a shadow schema and swap it in; returns the
 * number of events replayed. The live tables stay untouched if anything fails.
 */
export async function rebuildViaShadow(store: EventStore, projection: InlineProjection & { shadow: ShadowRebuild }, opts: ShadowRebuildOptions): Promise<number> {
  const live = store.schema;
  const shadowSchema = shadowSchemaOf(live, projection.name);
  const { shadow, handles } = projection;
  const target = shadow.forSchema(shadowSchema);
  let count = 0;
  const progress = (batch: StoredEvent[]) => {
    count += batch.length;
    opts.onProgress?.({ events: count, lastPosition: batch[batch.length - 1]!.position });
  };
  await dropSchema(store.db, shadowSchema);
  try {
    await createShadowTables(store.db, live, shadowSchema, shadow.tables);
    let last: Checkpoint = { ...START };
    for (;;) {
      const batch = await readAllEvents(store.db, live, last, opts.batchSize, { types: handles });
      if (batch.length === 0) break;
      await store.transaction((trx) => target.apply(trx, batch));
      progress(batch);
      last = checkpointOf(batch[batch.length - 1]!);
    }
    const longCount = count;
    for (let attempt = 1; ; attempt++) {
      count = longCount;
      try {
        await store.transaction((trx) => swap(trx, { live, shadowSchema, shadow, target, handles, last, batchSize: opts.batchSize, progress }));
        break;
      } catch (err) {
        if (attempt >= SWAP_ATTEMPTS || (err as { code?: string }).code !== '40P01') throw err;
      }
    }
  } finally {
    await dropSchema(store.db, shadowSchema);
  }
  return count;
}

async function swap(
  trx: AnyTrx,
  o: {
    live: string;
    shadowSchema: string;
    shadow: ShadowRebuild;
    target: InlineProjection;
    handles: readonly string[];
    last: Checkpoint;
    batchSize: number;
    progress: (batch: StoredEvent[]) => void;
  },
): Promise<void> {
  const liveId = sql.id(o.live);
  await sql`lock table ${liveId}.es_events in share mode`.execute(trx);
  // Exclusive from here: nobody writes the live rows between carryOver and the drop.
  for (const t of o.shadow.tables) await sql`lock table ${liveId}.${sql.id(t)} in access exclusive mode`.execute(trx);
  let last = o.last;
  for (;;) {
    const batch = await readAllUnfenced(trx, o.live, last, o.batchSize, o.handles);
    if (batch.length === 0) break;
    await o.target.apply(trx, batch);
    o.progress(batch);
    last = checkpointOf(batch[batch.length - 1]!);
  }
  await o.shadow.carryOver?.(trx, o.live, o.shadowSchema);
  for (const t of o.shadow.tables) {
    await sql`drop table ${liveId}.${sql.id(t)}`.execute(trx);
    await sql`alter table ${sql.id(o.shadowSchema)}.${sql.id(t)} set schema ${liveId}`.execute(trx);
  }
}

async function createShadowTables(db: AnyDb, live: string, shadowSchema: string, tables: readonly string[]): Promise<void> {
  await sql`create schema ${sql.id(shadowSchema)}`.execute(db);
  for (const t of tables) {
    await sql`create table ${sql.id(shadowSchema)}.${sql.id(t)} (like ${sql.id(live)}.${sql.id(t)} including all)`.execute(db);
    await renameIndexesLike(db, live, shadowSchema, t);
  }
}

/**
 * `like … including indexes` names the copies after their columns (`shares_user_id_created_at_idx`);
 * give each the name of the live index with the same definition.
 */
async function renameIndexesLike(db: AnyDb, live: string, shadowSchema: string, table: string): Promise<void> {
  const [from, to] = await Promise.all([indexesOf(db, live, table), indexesOf(db, shadowSchema, table)]);
  for (const idx of to) {
    const match = from.findIndex((f) => f.key === idx.key);
    if (match < 0) continue;
    const [wanted] = from.splice(match, 1);
    if (wanted && wanted.name !== idx.name) await sql`alter index ${sql.id(shadowSchema)}.${sql.id(idx.name)} rename to ${sql.id(wanted.name)}`.execute(db);
  }
}

async function indexesOf(db: AnyDb, schema: string, table: string): Promise<{ name: string; key: string }[]> {
  // The definition without its name and table: `CREATE UNIQUE INDEX x ON s.t USING btree (a)` → `CREATE UNIQUE INDEX ON USING btree (a)`.
  const { rows } = await sql<{ name: string; key: string }>`
    select c.relname as name, regexp_replace(pg_get_indexdef(c.oid), ' INDEX \\S+ ON \\S+ ', ' INDEX ON ') as key
    from pg_index x join pg_class c on c.oid = x.indexrelid
    where x.indrelid = format('%I.%I', ${schema}::text, ${table}::text)::regclass
    order by c.relname`.execute(db);
  return rows;
}

async function dropSchema(db: AnyDb, schema: string): Promise<void> {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
}
