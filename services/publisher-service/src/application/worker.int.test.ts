/**
 * Worker slots: one instance works on several shares at once, two instances share the backlog,
 * and still no share is ever worked on twice (exactly one publish at TikTok per share).
 */
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import { publisherSharesCreate, publisherSharesGet } from '@tiktok-share/contracts/rpc.ts';
import { makeVideo } from '../../../../test/fixtures/make-video.ts';
import { createHarness, USER, type Harness } from '../testing/harness.int.ts';

const ACCOUNTS = Array.from({ length: 6 }, (_, i) => ({ accountId: `acc-${i}`, creator: `slots${i}`, status: 'connected' as const }));
let h: Harness;

beforeAll(async () => {
  // TikTok keeps each publish in processing for a while, so slots overlap visibly.
  h = await createHarness(ACCOUNTS, { processingDelayMs: 400 }, { workerSlots: 3 });
  await makeVideo(join(h.mediaRoot, 'a.mp4'), { container: 'mp4', sizeBytes: 200_000, durationSec: 5, filled: true });
});
afterAll(async () => { await h?.close(); });

const create = (accountId: string, key: string) =>
  callRpc(h.nats.bus, publisherSharesCreate.subject, {
    userId: USER, idempotencyKey: key, request: { accountId, mode: 'direct', privacyLevel: 'SELF_ONLY', video: { path: 'a.mp4' } },
  }, publisherSharesCreate.output, { timeoutMs: 15_000 });

describe('saga worker slots', () => {
  it('two instances × 3 slots drain 12 shares concurrently, each published exactly once', async () => {
    await h.startService({ worker: false });
    const shareIds: string[] = [];
    for (let i = 0; i < 12; i++) shareIds.push((await create(ACCOUNTS[i % ACCOUNTS.length]!.accountId, `slot-${i}`)).shareId);
    // Both workers start on a full backlog.
    await h.startService({ config: { ...h.config, workerId: 'w-a' } });
    await h.startService({ config: { ...h.config, workerId: 'w-b' } });
    let maxLeased = 0;
    const owners = new Set<string>();
    const until = Date.now() + 30_000;
    const finals = new Map<string, string>();
    while (finals.size < shareIds.length && Date.now() < until) {
      const { rows } = await sql<{ lease_owner: string }>`select lease_owner from ${sql.id(h.schema)}.share_work where lease_until > now()`.execute(h.db.db);
      maxLeased = Math.max(maxLeased, rows.length);
      for (const r of rows) owners.add(r.lease_owner);
      for (const id of shareIds) {
        if (finals.has(id)) continue;
        const v = await callRpc(h.nats.bus, publisherSharesGet.subject, { userId: USER, shareId: id }, publisherSharesGet.output);
        if (['published', 'failed'].includes(v.status)) finals.set(id, v.status);
      }
      await new Promise((r) => setTimeout(r, 30));
    }
    expect([...finals.values()].filter((s) => s === 'published')).toHaveLength(12);
    // More than one share in flight at once (one instance alone would have 1 before slots), on both instances.
    expect(maxLeased).toBeGreaterThan(2);
    expect(owners).toEqual(new Set(['w-a', 'w-b']));
    const state = await h.state();
    expect(state.publishes).toHaveLength(12);
    expect(state.violations).toEqual([]);
  }, 40_000);
});
