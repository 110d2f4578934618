import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { createEventStore } from './store.ts';
import { fetchEvents } from './rows.ts';
import { ConcurrencyError, START, type EventStore } from './types.ts';
import { eventually } from './fixtures/eventually.ts';
import { migrateStats, statsProjection, statsRows } from './fixtures/stats.projection.ts';

let t: Awaited<ReturnType<typeof testDatabase>>;
let store: EventStore;
let schema: string;

beforeAll(async () => {
  t = await testDatabase();
  schema = t.schema('es_store');
  store = createEventStore({ db: t.db, schema, inlineProjections: [statsProjection(schema)] });
  await store.migrate();
  await store.migrate(); // idempotent
  await migrateStats(t.db, schema);
});
afterAll(() => t.cleanup());

const deposit = (amount: number, extra: Record<string, unknown> = {}) => ({ type: 'Deposited', data: { amount }, ...extra });

describe('append / readStream / aggregate', () => {
  it('appends numbered events and reads them back with the stored shape', async () => {
    const r = await store.append('acc-1', [deposit(5, { public: true, metadata: { correlationId: 'c1' } }), deposit(7)], { expectedVersion: 'no_stream' });
    expect(r.nextVersion).toBe(2);
    expect(r.events.map((e) => e.streamVersion)).toEqual([1, 2]);
    const [first] = r.events;
    expect(first).toMatchObject({ type: 'Deposited', version: 1, streamId: 'acc-1', data: { amount: 5 }, public: true, metadata: { correlationId: 'c1' } });
    expect(first!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first!.position).toMatch(/^\d+$/);
    expect(first!.transactionId).toMatch(/^\d+$/);
    expect(new Date(first!.occurredAt).toISOString()).toBe(first!.occurredAt);
    expect(await store.readStream('acc-1')).toEqual(r.events);
    expect((await store.readStream('acc-1', { fromVersion: 2 })).map((e) => e.streamVersion)).toEqual([2]);
  });

  it('keeps a caller-given id and occurredAt', async () => {
    const id = crypto.randomUUID();
    const r = await store.append('acc-id', [{ id, type: 'Deposited', data: { amount: 1 }, metadata: { occurredAt: '2024-01-02T03:04:05.678Z' } }], { expectedVersion: 'any' });
    expect(r.events[0]).toMatchObject({ id, occurredAt: '2024-01-02T03:04:05.678Z' });
  });

  it('rejects a stale expected version with the actual one', async () => {
    await store.append('acc-2', [deposit(1)], { expectedVersion: 'no_stream' });
    const err = await store.append('acc-2', [deposit(1)], { expectedVersion: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect(err).toMatchObject({ code: 'concurrency_conflict', actual: 1, expected: 0 });
    await expect(store.append('acc-2', [deposit(1)], { expectedVersion: 'no_stream' })).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.append('acc-2', [], { expectedVersion: 5 })).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await store.append('acc-2', [deposit(2)], { expectedVersion: 1 })).nextVersion).toBe(2);
  });

  it('lets exactly one of 20 concurrent appends with the same expected version win', async () => {
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.append('race-1', [deposit(i)], { expectedVersion: 0 })));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const l of lost) expect(l.reason).toBeInstanceOf(ConcurrencyError);
    expect(await store.readStream('race-1')).toHaveLength(1);
    // The inline projection saw only the winner.
    expect((await statsRows(t.db, schema)).find((r) => r.stream_id === 'race-1')).toMatchObject({ events: 1, last_version: 1 });
  });

  it('single-event appends: never leave a gap, and a mismatch keeps the caller transaction usable', async () => {
    const plain = createEventStore({ db: t.db, schema }); // no inline projection: no own transaction
    await plain.append('one-1', [{ type: 'Other', data: null }], { expectedVersion: 'no_stream' });
    // Expected 5 on a stream at 1 must not write version 6.
    await expect(plain.append('one-1', [{ type: 'Other', data: {} }], { expectedVersion: 5 })).rejects.toMatchObject({ actual: 1, expected: 5 });
    expect((await plain.readStream('one-1')).map((e) => [e.streamVersion, e.data])).toEqual([[1, null]]);
    await t.db.transaction().execute(async (trx) => {
      const err = await plain.append('one-1', [{ type: 'Other', data: {} }], { expectedVersion: 'no_stream', trx }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'concurrency_conflict', actual: 1 });
      const r = await plain.append('one-1', [{ type: 'Other', data: { n: 2 }, metadata: { correlationId: 'c' } }], { expectedVersion: 1, trx });
      expect(r.events[0]).toMatchObject({ streamVersion: 2, data: { n: 2 }, metadata: { correlationId: 'c' } });
    });
    expect((await plain.readStream('one-1')).map((e) => e.streamVersion)).toEqual([1, 2]);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => plain.append('one-1', [{ type: 'Other', data: {} }], { expectedVersion: 2 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await plain.readStream('one-1')).map((e) => e.streamVersion)).toEqual([1, 2, 3]);
  });

  it('bulk reads come back in the asked order even when the inner query does not keep it', async () => {
    const appended = (await store.append('order-1', [deposit(1), deposit(2), deposit(3)], { expectedVersion: 'no_stream' })).events;
    const reversed = sql`select * from ${sql.id(schema)}.es_events where stream_id = 'order-1' order by position desc`;
    expect((await fetchEvents(t.db, reversed, 'stream')).map((e) => e.streamVersion)).toEqual([1, 2, 3]);
    expect((await fetchEvents(t.db, reversed, 'global')).map((e) => e.position)).toEqual(appended.map((e) => e.position));
    expect(await fetchEvents(t.db, reversed, 'stream')).toEqual(appended);
  });

  it('folds a stream with aggregate', async () => {
    await store.append('acc-3', [deposit(10), { type: 'Withdrawn', data: { amount: 4 } }], { expectedVersion: 'no_stream' });
    const agg = await store.aggregate('acc-3', (s: number, e) => s + (e.type === 'Withdrawn' ? -1 : 1) * (e.data as { amount: number }).amount, 0);
    expect(agg).toEqual({ state: 6, version: 2 });
    expect(await store.aggregate('nope', (s: number) => s + 1, 0)).toEqual({ state: 0, version: 0 });
  });

  it('runs inline projections in the append transaction (rolled back together)', async () => {
    await expect(
      store.transaction(async (trx) => {
        await store.append('acc-rb', [deposit(3)], { expectedVersion: 'no_stream', trx });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await store.readStream('acc-rb')).toEqual([]);
    expect((await statsRows(t.db, schema)).find((r) => r.stream_id === 'acc-rb')).toBeUndefined();
    await store.append('acc-rb', [deposit(3), deposit(4)], { expectedVersion: 'no_stream' });
    expect((await statsRows(t.db, schema)).find((r) => r.stream_id === 'acc-rb')).toMatchObject({ events: 2, total: 7, last_type: 'Deposited' });
  });
});

describe('readAll', () => {
  it('orders and pages by numeric transaction id (9 before 10), not by its text', async () => {
    const s = createEventStore({ db: t.db, schema: t.schema('es_xid') });
    await s.migrate();
    // Explicit old xids: committed history below any snapshot's xmin, crossing a digit boundary.
    for (const [xid, stream] of [['10', 'b'], ['9', 'a'], ['10', 'c'], ['100', 'd']] as const) {
      await sql`insert into ${sql.id(s.schema)}.es_events (transaction_id, event_id, stream_id, stream_version, type, data)
        values (${xid}::xid8, ${crypto.randomUUID()}::uuid, ${stream}, 1, 'X', '{}')`.execute(t.db);
    }
    expect((await s.readAll(START, 10)).map((e) => e.streamId)).toEqual(['a', 'b', 'c', 'd']);
    const seen: string[] = [];
    let cp = START;
    for (let page = await s.readAll(cp, 1); page.length > 0; page = await s.readAll(cp, 1)) {
      seen.push(page[0]!.streamId);
      cp = { transactionId: page[0]!.transactionId, position: page[0]!.position };
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
  });

  it('pages strictly after the checkpoint and filters by type and public', async () => {
    const s = createEventStore({ db: t.db, schema });
    await s.append('page-1', [deposit(1, { public: true }), { type: 'Other', data: {} }, deposit(2, { public: true })], { expectedVersion: 'no_stream' });
    const all = await eventually(async () => {
      const rows = (await s.readAll(START, 10_000)).filter((e) => e.streamId === 'page-1');
      return rows.length === 3 ? rows : undefined;
    });
    const firstTwo = (await s.readAll(START, 10_000)).filter((e) => e.streamId === 'page-1').slice(0, 1);
    const after = await s.readAll({ transactionId: firstTwo[0]!.transactionId, position: firstTwo[0]!.position }, 10_000);
    expect(after.filter((e) => e.streamId === 'page-1').map((e) => e.streamVersion)).toEqual([2, 3]);
    expect(all.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
    const pub = (await s.readAll(START, 10_000, { publicOnly: true })).filter((e) => e.streamId === 'page-1');
    expect(pub.map((e) => e.streamVersion)).toEqual([1, 3]);
    const other = (await s.readAll(START, 10_000, { types: ['Other'] })).filter((e) => e.streamId === 'page-1');
    expect(other.map((e) => e.type)).toEqual(['Other']);
    const limited = await s.readAll(START, 2);
    expect(limited).toHaveLength(2);
  });
});
