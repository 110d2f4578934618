/**
 * The shared admin ops over real PostgreSQL + NATS: event paging (log and stream cursors), audit
 * order, rebuild of every inline projection with its progress, refusal of a concurrent rebuild
 * (same and other instance), abandoned runs, rows identical after the rebuild.
 */
import { sql } from 'kysely';
import { pino } from 'pino';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRpc } from '@tiktok-share/contracts/rpc.ts';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import type { Subscription } from '@tiktok-share/messaging/port.ts';
import { testNatsBus, type TestNatsBus } from '@tiktok-share/messaging/testing.ts';
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { createRebuildRunner, serveAdminRpcs, type RebuildStatus } from './admin.ts';
import { createEventStore } from './store.ts';
import { START, type EventStore, type InlineProjection } from './types.ts';
import { migrateStats, statsProjection, statsRows } from './fixtures/stats.projection.ts';
import { eventually } from './fixtures/eventually.ts';

const logger = pino({ level: 'silent' });
const ops = adminRpc('quota');
let t: Awaited<ReturnType<typeof testDatabase>>;
let nats: TestNatsBus;
let store: EventStore;
let schema: string;
let subs: Subscription[] = [];

/** Apply of `a` waits for one `step()` per batch while `gated`. */
let gated = false;
const waiting: Array<() => void> = [];
const step = () => waiting.shift()?.();
function gate(p: InlineProjection): InlineProjection {
  const { shadow } = p;
  return {
    ...p,
    async apply(trx, events) {
      if (gated) await new Promise<void>((r) => waiting.push(r));
      await p.apply(trx, events);
    },
    // The rebuild replays into the shadow schema's copy: gate that one too.
    ...(shadow ? { shadow: { ...shadow, forSchema: (other: string) => gate(shadow.forSchema(other)) } } : {}),
  };
}

const rpc = <S extends z.ZodType>(op: { subject: string; output: S }, input: unknown) => callRpc(nats.bus, op.subject, input, op.output, { timeoutMs: 5000 });
const status = (): Promise<RebuildStatus> => rpc(ops.rebuildStatus, {});
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string; status?: number }) => `${e.status} ${e.code}`);
const streamA = 'acct-a';
const streamB = 'acct-b';
const SHARE = 'share-1';

beforeAll(async () => {
  t = await testDatabase();
  nats = await testNatsBus({ logger });
  schema = t.schema('es_admin');
  const a = gate(statsProjection(schema, 'stats_a', 'a'));
  const b = statsProjection(schema, 'stats_b', 'b', ['Deposited']);
  store = createEventStore({ db: t.db, schema, inlineProjections: [a, b] });
  await store.migrate();
  await migrateStats(t.db, schema, 'stats_a');
  await migrateStats(t.db, schema, 'stats_b');
  // 24 events on two streams, appended alternately; every third belongs to SHARE.
  const versions = { [streamA]: 0, [streamB]: 0 };
  for (let i = 0; i < 24; i++) {
    const s = i % 2 === 0 ? streamA : streamB;
    const type = i % 4 === 3 ? 'Withdrawn' : i % 5 === 4 ? 'Other' : 'Deposited';
    const metadata = { correlationId: i % 3 === 0 ? SHARE : `share-x${i}` };
    versions[s] = (await store.append(s, [{ type, data: { amount: i }, metadata }], { expectedVersion: versions[s] as number })).nextVersion;
  }
  subs = await serveAdminRpcs({ bus: nats.bus, service: 'quota', store, schema, projections: store.inlineProjections, logger });
  // Gap-safe reads wait for other sessions' open transactions on the shared server.
  await eventually(async () => ((await store.readAll(START, 100)).length === 24 ? true : undefined));
});
afterAll(async () => {
  await Promise.all(subs.map((s) => s.stop()));
  await nats.cleanup();
  await t.cleanup();
});

describe('admin.events', () => {
  it('pages the whole log in gap-safe order with <transactionId>.<position> cursors', async () => {
    const all = (await store.readAll(START, 100)).map((e) => e.id);
    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await rpc(ops.events, { limit: 5, ...(after ? { after } : {}) });
      seen.push(...page.items.map((e) => e.id));
      if (!page.next) break;
      expect(page.next).toMatch(/^\d+\.\d+$/);
      after = page.next;
    }
    expect(seen).toEqual(all);
  });

  it('pages one stream by version, and rejects an unknown cursor', async () => {
    const first = await rpc(ops.events, { streamId: streamB, limit: 5 });
    expect(first.items.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5]);
    expect(first.next).toBe('5');
    const rest = await rpc(ops.events, { streamId: streamB, limit: 10, after: first.next });
    expect(rest.items.map((e) => e.streamVersion)).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(rest.next).toBeNull();
    expect(await codeOf(rpc(ops.events, { limit: 5, after: 'nope' }))).toBe('400 validation_failed');
    expect(await codeOf(rpc(ops.events, { streamId: streamB, limit: 5, after: '1.2' }))).toBe('400 validation_failed');
  });
});

describe('admin.audit and health', () => {
  it('audit returns only the share\'s events, across streams, in log order', async () => {
    const { events } = await rpc(ops.audit, { shareId: SHARE });
    expect(events.map((e) => (e.data as { amount: number }).amount)).toEqual([0, 3, 6, 9, 12, 15, 18, 21]);
    expect(new Set(events.map((e) => e.streamId))).toEqual(new Set([streamA, streamB]));
    expect(events.every((e) => e.correlationId === SHARE)).toBe(true);
    expect((await rpc(ops.audit, { shareId: 'share-none' })).events).toEqual([]);
  });

  it('health reports db and bus', async () => {
    expect(await rpc(ops.health, {})).toEqual({ service: 'quota', db: true, bus: true });
  });
});

describe('admin.rebuild', () => {
  it('rebuilds every inline projection with progress to done, refuses a concurrent one, rows identical', async () => {
    expect(await status()).toMatchObject({ state: 'idle', running: false, processed: 0, total: null });
    const before = { a: await statsRows(t.db, schema, 'stats_a'), b: await statsRows(t.db, schema, 'stats_b') };
    expect(before.a.length).toBe(2);
    // Spoil both read models so a rebuild that skipped one could not pass.
    await sql`update ${sql.id(schema)}.stats_a set total = -1`.execute(t.db);
    await sql`delete from ${sql.id(schema)}.stats_b`.execute(t.db);
    const { rows } = await sql<{ n: string }>`select count(*) filter (where type in ('Deposited','Withdrawn')) + count(*) filter (where type = 'Deposited') as n from ${sql.id(schema)}.es_events`.execute(t.db);
    const total = Number(rows[0]?.n);

    gated = true;
    expect(await rpc(ops.rebuild, {})).toEqual({ started: true });
    const running = await eventually(async () => {
      const s = await status();
      return s.total !== null ? s : undefined;
    });
    expect(running).toMatchObject({ state: 'running', running: true, processed: 0, total });
    expect(running.startedAt).toBeTruthy();
    expect(await codeOf(rpc(ops.rebuild, {}))).toBe('409 rebuild_in_progress');

    gated = false;
    step();
    const done = await eventually(async () => {
      const s = await status();
      return s.running ? undefined : s;
    });
    expect(done).toMatchObject({ state: 'done', running: false, processed: total, total });
    expect(done.error).toBeUndefined();
    expect(Date.parse(done.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(done.startedAt ?? ''));
    expect({ a: await statsRows(t.db, schema, 'stats_a'), b: await statsRows(t.db, schema, 'stats_b') }).toEqual(before);
    // Done frees the slot.
    expect(await rpc(ops.rebuild, {})).toEqual({ started: true });
    await eventually(async () => ((await status()).state === 'done' ? true : undefined));
  });

  it('reports progress per batch, and another instance sees the run and is refused', async () => {
    const mine = createRebuildRunner({ store, projections: store.inlineProjections, logger, batchSize: 5 });
    const other = createRebuildRunner({ store, projections: store.inlineProjections, logger });
    gated = true;
    const { done } = await mine.start();
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      await eventually(async () => (waiting.length > 0 ? true : undefined));
      seen.push((await mine.status()).processed);
      if (i === 0) {
        await expect(other.start()).rejects.toMatchObject({ code: 'rebuild_in_progress', status: 409 });
        expect(await other.status()).toMatchObject({ state: 'running', running: true });
      }
      step();
    }
    gated = false;
    step();
    const final = await done;
    expect(seen).toEqual([0, 5, 10]);
    expect(final).toMatchObject({ state: 'done', processed: final.total });
    // The other instance reads the finished run from the table.
    expect(await other.status()).toEqual(final);
  });

  it('a failing projection ends the run as failed; a dead instance\'s run stops blocking', async () => {
    const broken: InlineProjection = { name: 'broken', handles: ['Deposited'], apply: async () => { throw new Error('projection exploded'); }, truncate: async () => undefined };
    const runner = createRebuildRunner({ store, projections: [broken], logger });
    const { done } = await runner.start();
    expect(await done).toMatchObject({ state: 'failed', running: false, error: 'projection exploded' });
    expect(await status()).toMatchObject({ state: 'failed', error: 'projection exploded' });

    // A run left "running" by a crashed instance: refused while fresh, taken over once stale.
    await sql`update ${sql.id(schema)}.es_rebuild set state = 'running', heartbeat_at = now()`.execute(t.db);
    const fresh = createRebuildRunner({ store, projections: store.inlineProjections, logger, staleAfterMs: 60_000 });
    await expect(fresh.start()).rejects.toMatchObject({ code: 'rebuild_in_progress' });
    await sql`update ${sql.id(schema)}.es_rebuild set heartbeat_at = now() - interval '10 minutes'`.execute(t.db);
    expect(await status()).toMatchObject({ state: 'failed', running: false, error: expect.stringContaining('abandoned') });
    const taken = await fresh.start();
    expect(await taken.done).toMatchObject({ state: 'done' });
  });
});
