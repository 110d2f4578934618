import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { migrateEventStore } from './migrate.ts';
import { processOnce } from './inbox.ts';
import { idempotent, IdempotencyKeyReusedError } from './idempotency.ts';
import type { AnyTrx } from './types.ts';

let t: Awaited<ReturnType<typeof testDatabase>>;
let schema: string;

beforeAll(async () => {
  t = await testDatabase();
  schema = t.schema('es_inbox');
  await migrateEventStore(t.db, schema);
  await sql`create table ${sql.id(schema)}.effects (id serial primary key, what text not null)`.execute(t.db);
});
afterAll(() => t.cleanup());

const effect = (trx: AnyTrx, what: string) => sql`insert into ${sql.id(schema)}.effects (what) values (${what})`.execute(trx);
const effects = async (what: string) =>
  Number((await sql<{ c: string }>`select count(*) as c from ${sql.id(schema)}.effects where what = ${what}`.execute(t.db)).rows[0]!.c);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('processOnce', () => {
  it('runs once per (consumer, message id); duplicates skip fn', async () => {
    const first = await processOnce(t.db, schema, 'c1', 'm1', async (trx) => {
      await effect(trx, 'm1');
      return 42;
    });
    expect(first).toEqual({ duplicate: false, result: 42 });
    let ran = false;
    const again = await processOnce(t.db, schema, 'c1', 'm1', async () => (ran = true));
    expect(again).toEqual({ duplicate: true });
    expect(ran).toBe(false);
    // Another consumer handles the same message independently.
    expect(await processOnce(t.db, schema, 'c2', 'm1', async () => 'other')).toEqual({ duplicate: false, result: 'other' });
    expect(await effects('m1')).toBe(1);
  });

  it('a failed handler leaves no inbox row and no writes, so redelivery runs it again', async () => {
    await expect(
      processOnce(t.db, schema, 'c1', 'm-fail', async (trx) => {
        await effect(trx, 'm-fail');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await effects('m-fail')).toBe(0);
    const retry = await processOnce(t.db, schema, 'c1', 'm-fail', async (trx) => {
      await effect(trx, 'm-fail');
      return 'ok';
    });
    expect(retry).toEqual({ duplicate: false, result: 'ok' });
    expect(await effects('m-fail')).toBe(1);
  });

  it('10 concurrent deliveries of one message run fn exactly once', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        processOnce(t.db, schema, 'c1', 'm-conc', async (trx) => {
          await effect(trx, 'm-conc');
          await sleep(30); // keep the first transaction open while the others arrive
          return 'done';
        }),
      ),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(results.filter((r) => r.duplicate)).toHaveLength(9);
    expect(await effects('m-conc')).toBe(1);
  });
});

describe('idempotent', () => {
  const call = (key: string, requestHash: string, response: unknown, hook?: () => Promise<void>) =>
    idempotent({
      db: t.db, schema, scope: 'shares:user-1', key, requestHash,
      run: async (trx) => {
        await effect(trx, `idem-${key}`);
        await hook?.();
        return response;
      },
    });

  it('stores the first response and replays it for the same key and hash', async () => {
    expect(await call('k1', 'h1', { shareId: 's-1', n: 1 })).toEqual({ response: { shareId: 's-1', n: 1 }, replayed: false });
    expect(await call('k1', 'h1', { shareId: 'DIFFERENT' })).toEqual({ response: { shareId: 's-1', n: 1 }, replayed: true });
    expect(await effects('idem-k1')).toBe(1);
  });

  it('rejects the same key with another request body', async () => {
    await call('k2', 'h1', { ok: true });
    const err = await call('k2', 'h2', { ok: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdempotencyKeyReusedError);
    expect(err).toMatchObject({ code: 'idempotency_key_reused', status: 409 });
    expect(await effects('idem-k2')).toBe(1);
  });

  it('scopes keys: the same key in another scope is a new request', async () => {
    await call('k3', 'h1', 1);
    const other = await idempotent({ db: t.db, schema, scope: 'shares:user-2', key: 'k3', requestHash: 'h9', run: async () => 2 });
    expect(other).toEqual({ response: 2, replayed: false });
  });

  it('a failed run frees the key', async () => {
    await expect(call('k4', 'h1', null, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await call('k4', 'h2', 'second')).toEqual({ response: 'second', replayed: false });
    expect(await effects('idem-k4')).toBe(1);
  });

  it('10 concurrent first calls run once and all get the same response', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => call('k5', 'h1', { winner: i }, () => sleep(30))));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    const winner = results.find((r) => !r.replayed)!.response;
    for (const r of results) expect(r.response).toEqual(winner);
    expect(await effects('idem-k5')).toBe(1);
  });

  it('concurrent calls with a different body while the first runs are rejected, not run', async () => {
    const results = await Promise.allSettled([call('k6', 'h1', 'first', () => sleep(50)), sleep(10).then(() => call('k6', 'h2', 'second'))]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { response: 'first', replayed: false } });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: 'idempotency_key_reused' } });
    expect(await effects('idem-k6')).toBe(1);
  });
});
