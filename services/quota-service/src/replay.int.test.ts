/**
 * `npm run replay -- --service quota` end to end: the CLI's progress loop (gateway
 * cli/rebuild-progress.ts) against two real quota instances on PostgreSQL + NATS (own prefix).
 * The rebuild lands on one instance, the status polls on either (queue group): both must agree.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { adminRpc, quotaRelease, quotaReserve } from '@tiktok-share/contracts/rpc.ts';
import { callRpc } from '@tiktok-share/messaging';
import { replay } from '../../gateway/src/cli/rebuild-progress.ts';
import { quotaFixture, type QuotaFixture } from './quota.fixture.ts';

let f: QuotaFixture;
beforeEach(async () => {
  f = await quotaFixture();
});
afterEach(async () => f.cleanup());

const rows = async () => ({
  reservations: (await sql`select * from ${sql.id(f.schema)}.quota_reservations order by share_id`.execute(f.db)).rows,
  creators: (await sql`select * from ${sql.id(f.schema)}.quota_creators order by 1`.execute(f.db)).rows,
});

it('replay CLI rebuilds the read models and follows the progress to done', async () => {
  for (let i = 0; i < 6; i++) {
    await callRpc(f.busA, quotaReserve.subject, { shareId: `s${i}`, accountId: 'acc-1', openId: `creator-${i % 2}`, mode: 'direct' }, quotaReserve.output);
  }
  await callRpc(f.busA, quotaRelease.subject, { shareId: 's1', reason: 'user_cancelled' }, quotaRelease.output);
  const before = await rows();
  expect(before.reservations).toHaveLength(6);
  await sql`delete from ${sql.id(f.schema)}.quota_reservations where share_id in ('s0', 's3')`.execute(f.db);

  const out: string[] = [];
  const code = await replay('quota', { bus: f.busB, write: (s) => out.push(s), sleep: (ms) => new Promise((r) => setTimeout(r, ms)), pollMs: 20 });
  const text = out.join('');
  expect(code).toBe(0);
  expect(text).toContain('rebuild of quota started');
  expect(text).toContain('100% 7/7 events');
  expect(text).toMatch(/\ndone\n$/);
  expect(text).not.toContain('reports no rebuild status');
  expect(await rows()).toEqual(before);
  // Both instances report the same finished run.
  const op = adminRpc('quota').rebuildStatus;
  const seen = await Promise.all([f.busA, f.busB, f.busA, f.busB].map((bus) => callRpc(bus, op.subject, {}, op.output)));
  for (const s of seen) expect(s).toMatchObject({ state: 'done', running: false, processed: 7, total: 7 });
});
