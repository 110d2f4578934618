/**
 * Shadow rebuild of share_work (no lock on es_events during the replay): a row with a live lease
 * or back-off keeps its worker state, an idle row is rebuilt, a finished share has no row, and the
 * service's index keeps its name.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { createEventStore } from '@tiktok-share/eventstore/store.ts';
import { rebuildProjection } from '@tiktok-share/eventstore/projection.ts';
import { migratePublisher } from '../adapters/db/migrate.ts';
import { shareViewProjection, shareWorkProjection } from './share-view.projection.ts';

let t: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  t = await testDatabase();
});
afterAll(() => t.cleanup());

const requested = (shareId: string) => ({
  type: 'ShareRequested',
  data: { shareId, userId: 'u1', accountId: 'a1', mode: 'direct', postSettings: { title: shareId, privacyLevel: 'SELF_ONLY', isAigc: false }, video: { size: 10 } },
});

interface WorkRow {
  share_id: string;
  lease_owner: string | null;
  leased: boolean;
  delayed: boolean;
}

it('keeps live leases and back-offs, rebuilds the rest, and keeps index names', async () => {
  const schema = t.schema('pub_work_rebuild');
  await migratePublisher(t.db, schema);
  const work = shareWorkProjection(schema);
  const store = createEventStore({ db: t.db, schema, inlineProjections: [shareViewProjection(schema), work] });
  await store.migrate();
  for (const id of ['leased', 'delayed', 'idle', 'done']) await store.append(`share-${id}`, [requested(id)], { expectedVersion: 'no_stream' });
  await store.append('share-done', [{ type: 'PublishCompleted', data: { shareId: 'done', mode: 'direct', publishId: 'p1', postIds: [] } }], { expectedVersion: 1 });
  const w = sql`${sql.id(schema)}.share_work`;
  await sql`update ${w} set lease_owner = 'w1', lease_until = now() + interval '1 minute' where share_id = 'leased'`.execute(t.db);
  await sql`update ${w} set not_before = now() + interval '1 minute' where share_id = 'delayed'`.execute(t.db);
  await sql`update ${w} set lease_owner = 'w-old', lease_until = now() - interval '1 minute' where share_id = 'idle'`.execute(t.db);
  const indexes = async () => (await sql<{ n: string }>`select indexname as n from pg_indexes where schemaname = ${schema} and tablename = 'share_work' order by 1`.execute(t.db)).rows.map((r) => r.n);
  const before = await indexes();

  expect((await rebuildProjection(store, work, { batchSize: 2 })).events).toBe(5);

  const { rows } = await sql<WorkRow>`select share_id, lease_owner, lease_until > now() as leased, not_before > now() as delayed from ${w} order by share_id`.execute(t.db);
  expect(rows).toEqual([
    { share_id: 'delayed', lease_owner: null, leased: false, delayed: true },
    { share_id: 'idle', lease_owner: null, leased: false, delayed: false },
    { share_id: 'leased', lease_owner: 'w1', leased: true, delayed: false },
  ]);
  expect(before).toContain('share_work_created_idx');
  expect(await indexes()).toEqual(before);
});
