import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { createEventStore } from './store.ts';
import { rebuildProjection, startProjection, projectionCheckpoint } from './projection.ts';
import { loadCheckpoint } from './checkpoints.ts';
import { START, type EventStore, type NewEvent } from './types.ts';
import { migrateStats, statsProjection, statsRows } from './fixtures/stats.projection.ts';
import { eventually } from './fixtures/eventually.ts';

let t: Awaited<ReturnType<typeof testDatabase>>;
let n = 0;

beforeAll(async () => {
  t = await testDatabase();
});
afterAll(() => t.cleanup());

async function setup() {
  const schema = t.schema(`es_proj_${++n}`);
  const inline = statsProjection(schema, 'inline_stats');
  const asyncP = statsProjection(schema, 'async_stats');
  const store = createEventStore({ db: t.db, schema, inlineProjections: [inline] });
  await store.migrate();
  await migrateStats(t.db, schema, 'inline_stats');
  await migrateStats(t.db, schema, 'async_stats');
  return { schema, store, inline, asyncP };
}

const event = (i: number): NewEvent =>
  i % 5 === 4 ? { type: 'Withdrawn', data: { amount: i % 7 } } : i % 11 === 0 ? { type: 'Ignored', data: {} } : { type: 'Deposited', data: { amount: i } };

/** `perStream` appends to each of `streams` streams, the streams written concurrently. */
async function fill(store: EventStore, prefix: string, streams: number, perStream: number) {
  await Promise.all(
    Array.from({ length: streams }, async (_, s) => {
      let version = (await store.readStream(`${prefix}-${s}`)).length;
      for (let i = 0; i < perStream; i++) {
        const batch = i % 3 === 0 ? [event(i), event(i + 1)] : [event(i)];
        version = (await store.append(`${prefix}-${s}`, batch, { expectedVersion: version })).nextVersion;
      }
    }),
  );
}

async function catchUp(store: EventStore, runner: { runOnce(): Promise<number | null> }) {
  // Drained when a batch finds nothing AND every committed event is below the gap-safe horizon.
  const total = (await t.db.withSchema(store.schema).selectFrom('es_events').select((eb) => eb.fn.countAll<string>().as('c')).executeTakeFirstOrThrow()).c;
  await eventually(async () => {
    await runner.runOnce();
    const visible = (await store.readAll(START, 1_000_000)).length;
    return visible === Number(total) && (await runner.runOnce()) === 0 ? true : undefined;
  });
}

describe('projections', () => {
  it('rebuild yields exactly the rows the inline projection built incrementally', async () => {
    const { schema, store, inline } = await setup();
    await fill(store, 'acc', 12, 20);
    const incremental = await statsRows(t.db, schema, 'inline_stats');
    expect(incremental).toHaveLength(12);
    expect(incremental.every((r) => r.events > 0)).toBe(true);

    const progress: number[] = [];
    const result = await rebuildProjection(store, inline, { batchSize: 37, onProgress: (p) => progress.push(p.events) });
    expect(await statsRows(t.db, schema, 'inline_stats')).toEqual(incremental);
    // Counted directly: a gap-safe readAll may lag behind other sessions' open transactions.
    const handled = Number((await sql<{ c: string }>`select count(*) as c from ${sql.id(schema)}.es_events where type = any(${[...inline.handles]}::text[])`.execute(t.db)).rows[0]!.c);
    expect(result.events).toBe(handled);
    expect(progress.length).toBe(Math.ceil(handled / 37));
    expect(progress.at(-1)).toBe(handled);
  });

  it('an inline rebuild racing with appends still matches a clean rebuild afterwards', async () => {
    const { schema, store, inline } = await setup();
    await fill(store, 'acc', 5, 10);
    await Promise.all([fill(store, 'acc', 5, 10), rebuildProjection(store, inline, { batchSize: 7 }), fill(store, 'new', 3, 5)]);
    const afterRace = await statsRows(t.db, schema, 'inline_stats');
    await rebuildProjection(store, inline);
    expect(await statsRows(t.db, schema, 'inline_stats')).toEqual(afterRace);
    expect(afterRace.find((r) => r.stream_id === 'acc-0')?.last_version).toBe((await store.readStream('acc-0')).length);
  });

  it('the async projection catches up to the same rows, and rebuild + continue keeps them exact', async () => {
    const { schema, store, asyncP } = await setup();
    await fill(store, 'acc', 8, 15);
    const runner = startProjection({ store, projection: asyncP, batchSize: 50, autoStart: false });
    await catchUp(store, runner);
    const inlineRows = await statsRows(t.db, schema, 'inline_stats');
    expect(await statsRows(t.db, schema, 'async_stats')).toEqual(inlineRows);

    await rebuildProjection(store, asyncP, { batchSize: 33 });
    expect(await statsRows(t.db, schema, 'async_stats')).toEqual(inlineRows);
    expect(await loadCheckpoint(t.db, schema, projectionCheckpoint(asyncP.name))).not.toEqual(START);

    // Continuing after the rebuild neither double-counts nor misses.
    await fill(store, 'acc', 8, 3);
    await catchUp(store, runner);
    expect(await statsRows(t.db, schema, 'async_stats')).toEqual(await statsRows(t.db, schema, 'inline_stats'));
  });

  it('runs in the background until stopped', async () => {
    const { schema, store, asyncP } = await setup();
    const runner = startProjection({ store, projection: asyncP, pollMs: 20 });
    await fill(store, 'bg', 3, 4);
    const expected = await statsRows(t.db, schema, 'inline_stats');
    await eventually(async () => (JSON.stringify(await statsRows(t.db, schema, 'async_stats')) === JSON.stringify(expected) ? true : undefined));
    await runner.stop();
    await store.append('bg-0', [event(1)], { expectedVersion: 'any' });
    await new Promise((r) => setTimeout(r, 100));
    expect(await statsRows(t.db, schema, 'async_stats')).toEqual(expected);
  });
});
