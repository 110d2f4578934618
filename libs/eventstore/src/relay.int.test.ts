import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { createEventStore } from './store.ts';
import { startOutboxRelay, toEnvelope } from './relay.ts';
import { startProjection } from './projection.ts';
import { loadCheckpoint, tryBatchLock } from './checkpoints.ts';
import { START, type AnyTrx, type EventStore, type InlineProjection, type StoredEvent } from './types.ts';
import { createRecordingBus } from './fixtures/fake-bus.ts';
import { eventually } from './fixtures/eventually.ts';

let t: Awaited<ReturnType<typeof testDatabase>>;
let n = 0;

beforeAll(async () => {
  t = await testDatabase();
});
afterAll(() => t.cleanup());

async function freshStore(): Promise<EventStore> {
  const schema = t.schema(`es_relay_${++n}`);
  const store = createEventStore({ db: t.db, schema });
  await store.migrate();
  await sql`create table ${sql.id(schema)}.applied (seq bigserial primary key, event_id uuid not null, stream_id text not null)`.execute(t.db);
  return store;
}

/** Records the order events are applied in (async projection under test). */
function orderProjection(schema: string): InlineProjection {
  return {
    name: 'applied',
    handles: ['Happened'],
    async apply(trx: AnyTrx, events: StoredEvent[]) {
      for (const e of events) await sql`insert into ${sql.id(schema)}.applied (event_id, stream_id) values (${e.id}::uuid, ${e.streamId})`.execute(trx);
    },
    async truncate(trx: AnyTrx) {
      await sql`truncate ${sql.id(schema)}.applied`.execute(trx);
    },
  };
}

const appliedStreams = async (schema: string) =>
  (await sql<{ stream_id: string }>`select stream_id from ${sql.id(schema)}.applied order by seq`.execute(t.db)).rows.map((r) => r.stream_id);

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const happened = (n: number) => [{ type: 'Happened', data: { n }, public: true }];

describe('gap safety', () => {
  it('never moves a reader past an earlier transaction that commits later', async () => {
    const store = await freshStore();
    const bus = createRecordingBus();
    const relay = startOutboxRelay({ store, bus, name: 'gap', subjectFor: () => 'tiktok.test.happened.v1', autoStart: false });
    const projection = startProjection({ store, projection: orderProjection(store.schema), autoStart: false });

    const aAppended = deferred();
    const releaseA = deferred();
    const txA = store.transaction(async (trx) => {
      await store.append('stream-a', happened(1), { expectedVersion: 'no_stream', trx });
      aAppended.resolve();
      await releaseA.promise;
    });
    await aAppended.promise;
    const b = await store.transaction((trx) => store.append('stream-b', happened(2), { expectedVersion: 'no_stream', trx }));
    const a = (await store.readStream('stream-a')).length;
    expect(a).toBe(0); // A is not committed yet
    expect(BigInt(b.events[0]!.position)).toBeGreaterThan(0n);

    // B is committed with the higher position, A is in flight: nothing may be read yet.
    expect(await store.readAll(START, 100)).toEqual([]);
    expect(await relay.runOnce()).toBe(0);
    expect(await projection.runOnce()).toBe(0);
    expect(bus.published).toEqual([]);
    expect(await loadCheckpoint(t.db, store.schema, 'relay:gap')).toEqual(START);

    releaseA.resolve();
    await txA;
    const events = await eventually(async () => {
      const all = await store.readAll(START, 100);
      return all.length === 2 ? all : undefined;
    });
    expect(events.map((e) => e.streamId)).toEqual(['stream-a', 'stream-b']);
    expect(BigInt(events[0]!.position)).toBeLessThan(BigInt(events[1]!.position));

    expect(await relay.runOnce()).toBe(2);
    expect(bus.published.map((p) => p.msgId)).toEqual(events.map((e) => e.id));
    expect(await projection.runOnce()).toBe(2);
    expect(await appliedStreams(store.schema)).toEqual(['stream-a', 'stream-b']);
    expect(await relay.runOnce()).toBe(0);
    expect(await projection.runOnce()).toBe(0);
  });
});

describe('outbox relay', () => {
  it('publishes only public events as DESIGN §6 envelopes with msgId = event id', async () => {
    const store = await freshStore();
    const bus = createRecordingBus();
    await store.append('s-1', [
      { type: 'Happened', data: { n: 1 }, public: true, metadata: { correlationId: 'share-1', causationId: 'cmd-1' } },
      { type: 'Private', data: { secret: 'x' } },
    ], { expectedVersion: 'no_stream' });
    const relay = startOutboxRelay({ store, bus, name: 'env', subjectFor: (e) => `tiktok.test.${e.type.toLowerCase()}.v${e.version}`, autoStart: false });
    await eventually(async () => ((await relay.runOnce()) ? true : undefined));
    const [event] = await store.readStream('s-1');
    expect(bus.published).toEqual([{ subject: 'tiktok.test.happened.v1', msgId: event!.id, payload: toEnvelope(event!) }]);
    expect(bus.published[0]!.payload).toEqual({
      id: event!.id, type: 'Happened', version: 1, streamId: 's-1', streamVersion: 1, occurredAt: event!.occurredAt,
      correlationId: 'share-1', causationId: 'cmd-1', data: { n: 1 },
    });
  });

  it('republishes a batch whose checkpoint was not saved (crash after publish), never skips', async () => {
    const store = await freshStore();
    const bus = createRecordingBus();
    for (let i = 0; i < 3; i++) await store.append(`s-${i}`, happened(i), { expectedVersion: 'no_stream' });
    await eventually(async () => ((await store.readAll(START, 10)).length === 3 ? true : undefined));
    const crashing = startOutboxRelay({
      store, bus, name: 'crash', subjectFor: () => 'tiktok.test.happened.v1', autoStart: false,
      afterPublish: () => { throw new Error('killed before checkpoint'); },
    });
    await expect(crashing.runOnce()).rejects.toThrow('killed before checkpoint');
    expect(bus.published).toHaveLength(3);
    expect(await loadCheckpoint(t.db, store.schema, 'relay:crash')).toEqual(START);

    bus.failNext(1); // and a transient bus failure on restart
    const restarted = startOutboxRelay({ store, bus, name: 'crash', subjectFor: () => 'tiktok.test.happened.v1', autoStart: false });
    await expect(restarted.runOnce()).rejects.toThrow('injected publish failure');
    expect(await restarted.runOnce()).toBe(3);
    const ids = (await store.readAll(START, 10)).map((e) => e.id);
    expect(bus.published.map((p) => p.msgId)).toEqual([...ids, ...ids]);
    expect(await restarted.runOnce()).toBe(0);
  });

  it('skips the batch while another instance holds the lock', async () => {
    const store = await freshStore();
    const bus = createRecordingBus();
    await store.append('s-1', happened(1), { expectedVersion: 'no_stream' });
    const relay = startOutboxRelay({ store, bus, name: 'excl', subjectFor: () => 'x', autoStart: false });
    const held = deferred();
    const release = deferred();
    const holder = store.transaction(async (trx) => {
      expect(await tryBatchLock(trx, store.schema, 'relay:excl')).toBe(true);
      held.resolve();
      await release.promise;
    });
    await held.promise;
    expect(await relay.runOnce()).toBeNull();
    release.resolve();
    await holder;
    await eventually(async () => ((await relay.runOnce()) === 1 ? true : undefined));
    expect(bus.published).toHaveLength(1);
  });

  it('polls in the background, wakes on notify, pages through big backlogs, and stops', async () => {
    const store = await freshStore();
    const bus = createRecordingBus();
    for (let i = 0; i < 25; i++) await store.append(`s-${i}`, happened(i), { expectedVersion: 'no_stream' });
    const relay = startOutboxRelay({ store, bus, name: 'loop', subjectFor: () => 'x', batchSize: 10, pollMs: 5_000 });
    await eventually(async () => (bus.published.length === 25 ? true : undefined));
    await store.append('late', happened(99), { expectedVersion: 'no_stream' });
    const start = Date.now();
    relay.notify();
    await eventually(async () => (bus.published.length === 26 ? true : undefined), 10_000);
    // Woken, not waiting for the 5 s poll (allowing some lag for other sessions' transactions).
    expect(Date.now() - start).toBeLessThan(4_000);
    await relay.stop();
    expect(new Set(bus.published.map((p) => p.msgId)).size).toBe(26);
  });
});
