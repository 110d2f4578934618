import { afterAll, beforeAll, expect, it } from 'vitest';
import { pino } from 'pino';
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { testNatsBus, type TestNatsBus } from '@tiktok-share/messaging/testing.ts';
import { createEventStore } from './store.ts';
import { startOutboxRelay, type EventEnvelope } from './relay.ts';
import { processOnce } from './inbox.ts';
import { START, type EventStore, type StoredEvent } from './types.ts';
import { eventually } from './fixtures/eventually.ts';

let t: Awaited<ReturnType<typeof testDatabase>>;
let nats: TestNatsBus;
let store: EventStore;

beforeAll(async () => {
  t = await testDatabase();
  nats = await testNatsBus({ logger: pino({ level: 'silent' }) });
  store = createEventStore({ db: t.db, schema: t.schema('es_nats') });
  await store.migrate();
});
afterAll(async () => {
  await nats.cleanup();
  await t.cleanup();
});

const subjectFor = (e: StoredEvent) => `tiktok.test.${e.type.toLowerCase()}.v${e.version}`;

it('a relay killed between publish and checkpoint loses nothing, and JetStream dedupes the replay', async () => {
  const { bus } = nats;
  await bus.ensureStreams([{ name: 'TIKTOK_TEST', subjects: ['tiktok.test.>'] }]);
  const deliveries: Array<{ id: string; seq: number }> = [];
  const handled: string[] = [];
  const sub = await bus.consume({
    stream: 'TIKTOK_TEST', durable: 'test--relay-check', filterSubject: 'tiktok.test.>',
    handler: async (msg) => {
      const env = JSON.parse(new TextDecoder().decode(msg.data)) as EventEnvelope;
      deliveries.push({ id: env.id, seq: msg.seq });
      // Exactly-once effect on top of at-least-once delivery: the inbox.
      const r = await processOnce(store.db, store.schema, 'test--relay-check', env.id, async () => env.id);
      if (!r.duplicate) handled.push(r.result);
      msg.ack();
    },
  });

  for (let i = 0; i < 5; i++) await store.append(`share-${i}`, [{ type: 'Happened', data: { i }, public: true, metadata: { correlationId: `share-${i}` } }], { expectedVersion: 'no_stream' });
  await eventually(async () => ((await store.readAll(START, 100)).length === 5 ? true : undefined));

  const killed = startOutboxRelay({ store, bus, name: 'nats', subjectFor, autoStart: false, afterPublish: () => { throw new Error('killed after publish'); } });
  await expect(killed.runOnce()).rejects.toThrow('killed after publish');
  // The batch did reach JetStream; only the checkpoint is missing.
  await eventually(async () => (deliveries.length === 5 ? true : undefined));

  const restarted = startOutboxRelay({ store, bus, name: 'nats', subjectFor, pollMs: 20 });
  await store.append('share-late', [{ type: 'Happened', data: { i: 5 }, public: true }], { expectedVersion: 'no_stream' });
  restarted.notify();
  const ids = (await eventually(async () => {
    const all = await store.readAll(START, 100);
    return all.length === 6 ? all : undefined;
  })).map((e) => e.id);
  await eventually(async () => (handled.length === 6 ? true : undefined));
  await new Promise((r) => setTimeout(r, 300)); // room for any duplicate to show up
  await restarted.stop();
  await sub.stop();

  expect(handled).toEqual(ids);
  // The 5 re-published events were dropped by the server (same Nats-Msg-Id): one delivery each.
  expect(deliveries.map((d) => d.id)).toEqual(ids);
  expect(deliveries.map((d) => d.seq)).toEqual([1, 2, 3, 4, 5, 6]);
});
