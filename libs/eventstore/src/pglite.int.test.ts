import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Database } from '@tiktok-share/platform/db.ts';
import { createEventStore } from './store.ts';
import { startOutboxRelay } from './relay.ts';
import { rebuildProjection } from './projection.ts';
import { ConcurrencyError, START, type EventStore } from './types.ts';
import { createRecordingBus } from './fixtures/fake-bus.ts';
import { migrateStats, statsProjection, statsRows } from './fixtures/stats.projection.ts';

// The embedded default: the same store on in-memory PGlite (one connection, WASM Postgres).
let database: Database;
let store: EventStore;
const schema = 'pglite_es';

beforeAll(async () => {
  database = await openDatabase({});
  store = createEventStore({ db: database.db, schema, inlineProjections: [statsProjection(schema)] });
  await store.migrate();
  await migrateStats(database.db, schema);
});
afterAll(() => database.close());

it('appends, reads, relays and rebuilds on PGlite', async () => {
  const r = await store.append('acc-1', [{ type: 'Deposited', data: { amount: 5 }, public: true }, { type: 'Withdrawn', data: { amount: 2 } }], { expectedVersion: 'no_stream' });
  expect(r.nextVersion).toBe(2);
  expect(r.events[0]).toMatchObject({ streamVersion: 1, type: 'Deposited', data: { amount: 5 } });
  expect(r.events[0]!.position).toMatch(/^\d+$/);
  expect(r.events[0]!.transactionId).toMatch(/^\d+$/);
  await expect(store.append('acc-1', [{ type: 'Deposited', data: { amount: 1 } }], { expectedVersion: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
  await store.append('acc-2', [{ type: 'Deposited', data: { amount: 1 }, public: true }], { expectedVersion: 'no_stream' });

  expect((await store.readStream('acc-1')).map((e) => e.type)).toEqual(['Deposited', 'Withdrawn']);
  const all = await store.readAll(START, 10);
  expect(all.map((e) => `${e.streamId}@${e.streamVersion}`)).toEqual(['acc-1@1', 'acc-1@2', 'acc-2@1']);

  const bus = createRecordingBus();
  const relay = startOutboxRelay({ store, bus, name: 'pglite', subjectFor: () => 'tiktok.test.v1', autoStart: false });
  // A relay batch and an append at the same time share PGlite's single connection.
  const [published] = await Promise.all([relay.runOnce(), store.append('acc-3', [{ type: 'Deposited', data: { amount: 3 }, public: true }], { expectedVersion: 'no_stream' })]);
  expect(published).toBeGreaterThanOrEqual(2);
  await relay.runOnce();
  expect(bus.published.map((p) => (p.payload as { streamId: string }).streamId)).toEqual(['acc-1', 'acc-2', 'acc-3']);

  const before = await statsRows(database.db, schema);
  expect(before.find((row) => row.stream_id === 'acc-1')).toMatchObject({ events: 2, total: 3 });
  await rebuildProjection(store, statsProjection(schema));
  expect(await statsRows(database.db, schema)).toEqual(before);
});
