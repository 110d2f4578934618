/**
 * Event store benchmark (DESIGN §9): single-event appends/s vs raw single-row INSERT transactions on
 * the same table shape, same pool, same concurrency, same run; and projection rebuild events/s.
 *
 *   npx tsx libs/eventstore/bench/eventstore.bench.ts [n]      (DATABASE_URL or the local test DB)
 *
 * The root `npm run bench` imports `runEventStoreBench`.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { openDatabase } from '../../platform/src/db.ts';
import { createEventStore } from '../src/store.ts';
import { rebuildProjection } from '../src/projection.ts';
import type { AnyDb } from '../src/types.ts';
import { migrateStats, statsProjection } from '../src/fixtures/stats.projection.ts';

export interface EventStoreBenchResult {
  appends: number;
  appendsPerSec: number;
  rawInsertsPerSec: number;
  /** appendsPerSec / rawInsertsPerSec (target ≥ 0.7). */
  appendVsRaw: number;
  rebuildEvents: number;
  rebuildEventsPerSec: number;
  concurrency: number;
}

export interface EventStoreBenchOptions {
  db: AnyDb;
  /** A scratch schema (created; the caller drops it). */
  schema: string;
  /** Appends (and raw inserts) to time. */
  n: number;
  /** In-flight operations; match the pool size. Default 10. */
  concurrency?: number;
  /** Events replayed by the rebuild measurement. Default max(n, 100 000). */
  rebuildEvents?: number;
}

/**
 * @example const r = await runEventStoreBench({ db, schema: 'bench_es', n: 5000 });
 */
export async function runEventStoreBench(opts: EventStoreBenchOptions): Promise<EventStoreBenchResult> {
  const { db, schema, n } = opts;
  const concurrency = opts.concurrency ?? 10;
  const projection = statsProjection(schema);
  const store = createEventStore({ db, schema });
  await store.migrate();
  await migrateStats(db, schema);
  await sql`create table if not exists ${sql.id(schema)}.raw_events (like ${sql.id(schema)}.es_events including all)`.execute(db);

  const data = { amount: 1, shareId: 'share-bench', note: 'a small payload like a real event' };
  const append = (i: number) => store.append(`bench-${i}`, [{ type: 'Deposited', data, public: true }], { expectedVersion: 'no_stream' });
  const raw = (i: number) =>
    sql`insert into ${sql.id(schema)}.raw_events (event_id, stream_id, stream_version, type, version, data, metadata, public)
        values (${randomUUID()}::uuid, ${`raw-${i}`}, 1, 'Deposited', 1, ${JSON.stringify(data)}::jsonb, '{}'::jsonb, true)`.execute(db);

  // Warm both paths (connections, plans), then alternate halves so drift hits both equally.
  await timed(Math.min(200, n), concurrency, (i) => raw(-1 - i));
  await timed(Math.min(200, n), concurrency, (i) => append(-1 - i));
  const half = Math.ceil(n / 2);
  const r1 = await timed(half, concurrency, raw);
  const a1 = await timed(half, concurrency, append);
  const a2 = await timed(n - half, concurrency, (i) => append(half + i));
  const r2 = await timed(n - half, concurrency, (i) => raw(half + i));
  const appendsPerSec = n / ((a1 + a2) / 1000);
  const rawInsertsPerSec = n / ((r1 + r2) / 1000);

  const rebuildTarget = opts.rebuildEvents ?? Math.max(n, 100_000);
  await seedEvents(db, schema, rebuildTarget - n - Math.min(200, n));
  const rebuilt = await rebuildProjection(store, projection);
  return {
    appends: n,
    appendsPerSec,
    rawInsertsPerSec,
    appendVsRaw: appendsPerSec / rawInsertsPerSec,
    rebuildEvents: rebuilt.events,
    rebuildEventsPerSec: rebuilt.events / (rebuilt.ms / 1000),
    concurrency,
  };
}

/** Run `op(0..count-1)` with `concurrency` in flight; elapsed ms. */
async function timed(count: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await op(next++);
    }),
  );
  return performance.now() - started;
}

/** Bulk-insert `count` events over 1 000 streams (server-side, fast) so the rebuild has volume. */
async function seedEvents(db: AnyDb, schema: string, count: number): Promise<void> {
  if (count <= 0) return;
  await sql`
    insert into ${sql.id(schema)}.es_events (event_id, stream_id, stream_version, type, data, public)
    select gen_random_uuid(), 'seed-' || (g % 1000), g / 1000 + 1, case when g % 4 = 3 then 'Withdrawn' else 'Deposited' end,
           jsonb_build_object('amount', g % 10, 'shareId', 'share-' || g), true
    from generate_series(0, ${count - 1}::int) g`.execute(db);
}

function printTable(r: EventStoreBenchResult): void {
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.table([
    { metric: `raw single-row INSERT tx/s (c=${r.concurrency})`, value: fmt(r.rawInsertsPerSec), target: 'baseline' },
    { metric: `single-event appends/s (c=${r.concurrency})`, value: fmt(r.appendsPerSec), target: '' },
    { metric: 'appends / raw', value: `${(r.appendVsRaw * 100).toFixed(1)} %`, target: '≥ 70 %' },
    { metric: `projection rebuild events/s (${fmt(r.rebuildEvents)} events)`, value: fmt(r.rebuildEventsPerSec), target: '≥ 50,000' },
  ]);
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 5000);
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const database = await openDatabase({ url, max: 10 });
  const schema = `bench_es_${randomUUID().slice(0, 8)}`;
  try {
    printTable(await runEventStoreBench({ db: database.db, schema, n }));
  } finally {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
    await database.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
