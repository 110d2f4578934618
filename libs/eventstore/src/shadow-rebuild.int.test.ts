import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { createEventStore } from './store.ts';
import { rebuildProjection } from './projection.ts';
import { shadowSchemaOf } from './shadow-rebuild.ts';
import type { InlineProjection } from './types.ts';
import { migrateStats, statsProjection, statsRows } from './fixtures/stats.projection.ts';

let t: Awaited<ReturnType<typeof testDatabase>>;
let n = 0;

beforeAll(async () => {
  t = await testDatabase();
});
afterAll(() => t.cleanup());

async function setup() {
  const schema = t.schema(`es_shadow_${++n}`);
  const inline = statsProjection(schema, 'stats');
  const store = createEventStore({ db: t.db, schema, inlineProjections: [inline] });
  await store.migrate();
  await migrateStats(t.db, schema, 'stats');
  return { schema, store, inline };
}

/** `streams` × `perStream` Deposited events in one statement (the projection is rebuilt afterwards). */
async function bulkEvents(schema: string, streams: number, perStream: number) {
  await sql`insert into ${sql.id(schema)}.es_events (event_id, stream_id, stream_version, type, data)
    select gen_random_uuid(), 'bulk-' || s, v, 'Deposited', jsonb_build_object('amount', v)
    from generate_series(1, ${streams}) s, generate_series(1, ${perStream}) v`.execute(t.db);
}

const indexNames = async (schema: string) =>
  (await sql<{ indexname: string }>`select indexname from pg_indexes where schemaname = ${schema} and tablename = 'stats' order by indexname`.execute(t.db)).rows.map((r) => r.indexname);
const schemaExists = async (schema: string) =>
  (await sql<{ n: number }>`select count(*)::int as n from pg_namespace where nspname = ${schema}`.execute(t.db)).rows[0]!.n === 1;
const withoutShadow = (p: InlineProjection): InlineProjection => ({ name: p.name, handles: p.handles, apply: p.apply, truncate: p.truncate });

describe('shadow rebuild of an inline projection', () => {
  it('does not hold appends during the replay, and ends with the rows of a locked rebuild', async () => {
    const { schema, store, inline } = await setup();
    await bulkEvents(schema, 500, 100);

    let replaying!: () => void;
    const firstBatch = new Promise<void>((r) => (replaying = r));
    const started = performance.now();
    let rebuildDone = 0;
    const rebuild = rebuildProjection(store, inline, { batchSize: 1_000, onProgress: () => replaying() }).then((r) => {
      rebuildDone = performance.now();
      return r;
    });
    await firstBatch;
    const appendStart = performance.now();
    await store.append('late-1', [{ type: 'Deposited', data: { amount: 7 } }], { expectedVersion: 'no_stream' });
    const appendDone = performance.now();
    const result = await rebuild;

    // The append went through while the rebuild was still replaying, in a fraction of its time.
    expect(appendDone).toBeLessThan(rebuildDone);
    expect(appendDone - appendStart).toBeLessThan((rebuildDone - started) / 4);
    expect(result.events).toBe(50_001);

    const rebuilt = await statsRows(t.db, schema, 'stats');
    expect(rebuilt).toHaveLength(501);
    expect(rebuilt.find((r) => r.stream_id === 'late-1')).toEqual({ stream_id: 'late-1', events: 1, total: 7, last_type: 'Deposited', last_version: 1 });
    // Reference: the old single-transaction rebuild (SHARE lock for its whole replay).
    await rebuildProjection(store, withoutShadow(inline));
    expect(await statsRows(t.db, schema, 'stats')).toEqual(rebuilt);
  });

  it('keeps the index names, clears a leftover shadow schema and drops its own', async () => {
    const { schema, store, inline } = await setup();
    await sql`create index stats_total_idx on ${sql.id(schema)}.stats (total)`.execute(t.db);
    await bulkEvents(schema, 20, 5);
    const before = await indexNames(schema);
    const shadow = shadowSchemaOf(schema, inline.name);
    await sql`create schema ${sql.id(shadow)}`.execute(t.db);
    await sql`create table ${sql.id(shadow)}.stats (junk int)`.execute(t.db);

    expect((await rebuildProjection(store, inline, { batchSize: 30 })).events).toBe(100);
    expect(await indexNames(schema)).toEqual(before);
    expect(before).toContain('stats_total_idx');
    expect(await schemaExists(shadow)).toBe(false);
    expect(await statsRows(t.db, schema, 'stats')).toHaveLength(20);
    // Appends keep projecting into the swapped-in table.
    await store.append('bulk-1', [{ type: 'Withdrawn', data: { amount: 2 } }], { expectedVersion: 5 });
    expect((await statsRows(t.db, schema, 'stats')).find((r) => r.stream_id === 'bulk-1')).toMatchObject({ events: 6, last_type: 'Withdrawn' });
  });

  it('a failing replay leaves the live rows as they were', async () => {
    const { schema, store, inline } = await setup();
    await store.append('acc-1', [{ type: 'Deposited', data: { amount: 3 } }], { expectedVersion: 'no_stream' });
    const live = await statsRows(t.db, schema, 'stats');
    const broken: InlineProjection = {
      ...inline,
      shadow: { tables: ['stats'], forSchema: (other) => ({ ...statsProjection(other, 'stats'), apply: async () => Promise.reject(new Error('replay exploded')) }) },
    };
    await expect(rebuildProjection(store, broken)).rejects.toThrow('replay exploded');
    expect(await statsRows(t.db, schema, 'stats')).toEqual(live);
    expect(await schemaExists(shadowSchemaOf(schema, inline.name))).toBe(false);
  });
});
