/** The relay's `onLag` report against real PostgreSQL: backlog counted after full batches only. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { createEventStore } from './store.ts';
import { startOutboxRelay, type OutboxLag } from './relay.ts';
import { tryBatchLock } from './checkpoints.ts';
import { createRecordingBus } from './fixtures/fake-bus.ts';
import { eventually } from './fixtures/eventually.ts';
import { START, type EventStore } from './types.ts';

/** Gap-safe reads lag behind other sessions' open transactions on the shared server: wait until visible. */
const visible = (store: EventStore, count: number) => eventually(async () => ((await store.readAll(START, 100)).length === count ? true : undefined));

let t: Awaited<ReturnType<typeof testDatabase>>;
let n = 0;
beforeAll(async () => {
  t = await testDatabase();
});
afterAll(() => t.cleanup());

async function freshStore(): Promise<EventStore> {
  const store = createEventStore({ db: t.db, schema: t.schema(`es_lag_${++n}`) });
  await store.migrate();
  return store;
}

describe('outbox relay onLag', () => {
  it('reports the unpublished public events and the age of the oldest after each batch, then 0 once drained', async () => {
    const store = await freshStore();
    const lags: OutboxLag[] = [];
    const relay = startOutboxRelay({ store, bus: createRecordingBus(), name: 'lag', subjectFor: () => 'tiktok.test.happened.v1', autoStart: false, batchSize: 2, onLag: (l) => lags.push(l) });
    const tenSecondsAgo = new Date(Date.now() - 10_000).toISOString();
    await store.append('s', [
      ...[1, 2, 3, 4, 5].map((i) => ({ type: 'Happened', data: { i }, public: true, metadata: { occurredAt: tenSecondsAgo } })),
      { type: 'Private', data: {}, public: false },
    ], { expectedVersion: 'no_stream' });
    await visible(store, 6);

    expect(await relay.runOnce()).toBe(2);
    expect(lags.at(-1)).toMatchObject({ name: 'lag', events: 3 });
    // The oldest unpublished event (#3) was stamped 10 s ago.
    expect(lags.at(-1)?.ageMs).toBeGreaterThanOrEqual(9_000);
    expect(lags.at(-1)?.ageMs).toBeLessThan(60_000);
    expect(await relay.runOnce()).toBe(2);
    expect(lags.at(-1)).toMatchObject({ events: 1 });
    expect(await relay.runOnce()).toBe(1);
    expect(lags.at(-1)).toEqual({ name: 'lag', events: 0, ageMs: 0 });
    expect(await relay.runOnce()).toBe(0);
    expect(lags).toHaveLength(4);
  });

  it('reports nothing while another instance holds the batch lock, and a throwing hook does not fail the batch', async () => {
    const store = await freshStore();
    let reports = 0;
    const relay = startOutboxRelay({
      store, bus: createRecordingBus(), name: 'locked', subjectFor: () => 'tiktok.test.happened.v1', autoStart: false,
      onLag: () => {
        reports++;
        throw new Error('broken metrics');
      },
    });
    await store.append('s', [{ type: 'Happened', data: {}, public: true }], { expectedVersion: 'no_stream' });
    await visible(store, 1);
    await store.transaction(async (trx) => {
      expect(await tryBatchLock(trx, store.schema, 'relay:locked')).toBe(true);
      expect(await relay.runOnce()).toBeNull();
    });
    expect(reports).toBe(0);
    expect(await relay.runOnce()).toBe(1);
    expect(reports).toBe(1);
  });
});
