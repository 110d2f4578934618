import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { createEventStore } from './store.ts';
import { idleProbe, maxIdleSkips, runBatch, type BatchSpec } from './loop.ts';
import { saveCheckpoint } from './checkpoints.ts';
import { START, type EventStore, type StoredEvent } from './types.ts';

let t: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  t = await testDatabase();
});
afterAll(() => t.cleanup());

async function setup() {
  const store: EventStore = createEventStore({ db: t.db, schema: t.schema(`es_idle_${Math.random().toString(36).slice(2, 8)}`) });
  await store.migrate();
  const probe = idleProbe({ store, publicOnly: true }, 2);
  const seen: StoredEvent[] = [];
  const spec: BatchSpec = { store, checkpoint: 'relay:t', batchSize: 10, publicOnly: true, onCommitted: probe.remember, handle: async (_trx, e) => { seen.push(...e); } };
  const append = (id: string, pub = true) => store.append(`s-${id}`, [{ type: 'Happened', data: { id }, public: pub }], { expectedVersion: 'no_stream' });
  return { store, probe, seen, spec, append };
}

describe('idle probe', () => {
  it('skips only while nothing matching was committed after the last batch, and forces a real batch every maxSkips', async () => {
    const { probe, seen, spec, append } = await setup();
    expect(await probe.nothingNew()).toBe(false); // nothing seen yet: run a real batch
    await append('a');
    expect(await runBatch(spec)).toBe(1);
    expect(await probe.nothingNew()).toBe(true);
    await append('private', false); // filtered out like the batch would
    expect(await probe.nothingNew()).toBe(true);
    expect(await probe.nothingNew()).toBe(false); // 2 skips reached: a real batch is due
    await append('b');
    expect(await probe.nothingNew()).toBe(false);
    expect(await runBatch(spec)).toBe(1);
    expect(seen.map((e) => (e.data as { id: string }).id)).toEqual(['a', 'b']);
  });

  it('a rolled-back batch does not move the probe: its events are still found', async () => {
    const { probe, spec, append } = await setup();
    expect(await runBatch(spec)).toBe(0); // remembers START
    await append('a');
    await expect(runBatch({ ...spec, handle: async () => { throw new Error('publish failed'); } })).rejects.toThrow('publish failed');
    expect(await probe.nothingNew()).toBe(false);
  });

  it('a checkpoint moved back (rebuild) is picked up by the forced batch', async () => {
    const { store, probe, seen, spec, append } = await setup();
    await append('a');
    await runBatch(spec);
    await saveCheckpoint(store.db, store.schema, 'relay:t', START);
    expect(await probe.nothingNew()).toBe(true);
    expect(await probe.nothingNew()).toBe(true);
    expect(await probe.nothingNew()).toBe(false);
    expect(await runBatch(spec)).toBe(1);
    expect(seen).toHaveLength(2);
  });

  it('maxIdleSkips keeps about one real batch a second', () => {
    expect(maxIdleSkips(150)).toBe(6);
    expect(maxIdleSkips(30)).toBe(33);
    expect(maxIdleSkips(5000)).toBe(1);
  });
});
