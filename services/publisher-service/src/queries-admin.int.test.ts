/**
 * Reads and admin ops of the publisher, with the real auth and quota services: shares.list
 * (newest first, cursor paging, filters, ownership), creator-info (banned1 cannot post), admin
 * events / audit, and a rebuild that restores every share view exactly.
 */
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import { adminRpc, publisherCreatorInfo, publisherSharesCreate, publisherSharesGet, publisherSharesList } from '@tiktok-share/contracts/rpc.ts';
import type { ShareView } from '@tiktok-share/contracts/rest.ts';
import { makeVideo } from '../../../test/fixtures/make-video.ts';
import { createHarness, USER, type Harness } from './testing/harness.int.ts';

let h: Harness;
let otherAccount = '';
const shares: ShareView[] = [];
const admin = adminRpc('publisher');
const rpc = <S extends { subject: string; output: Parameters<typeof callRpc>[3] }>(op: S, input: unknown) => callRpc(h.nats.bus, op.subject, input, op.output as S['output'], { timeoutMs: 15_000 });
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code);

async function waitFinal(shareId: string): Promise<ShareView> {
  const until = Date.now() + 20_000;
  for (;;) {
    const v = await callRpc(h.nats.bus, publisherSharesGet.subject, { userId: USER, shareId }, publisherSharesGet.output);
    if (['published', 'in_inbox', 'failed'].includes(v.status) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 30));
  }
}

beforeAll(async () => {
  h = await createHarness([
    { accountId: 'a', creator: 'qa1', status: 'connected' },
    { accountId: 'b', creator: 'qb1', status: 'connected' },
    { accountId: 'banned', creator: 'banned1', status: 'connected' },
  ], {}, {}, { peers: 'real' });
  otherAccount = await h.peers!.connect('someone-else', 'qother1');
  await makeVideo(join(h.mediaRoot, 'v.mp4'), { container: 'mp4', sizeBytes: 500_000, durationSec: 5, filled: true });
  await h.startService();
  const create = (alias: string, key: string) => callRpc(h.nats.bus, publisherSharesCreate.subject,
    { userId: USER, idempotencyKey: key, request: { accountId: h.acc(alias), mode: 'direct', privacyLevel: 'SELF_ONLY', video: { path: 'v.mp4' } } },
    publisherSharesCreate.output, { timeoutMs: 15_000 });
  for (const [alias, key] of [['a', 'l1'], ['a', 'l2'], ['a', 'l3']] as const) shares.push(await waitFinal((await create(alias, key)).shareId));
  await h.control('faults', { endpoint: 'video_init', status: 400, times: 1 });
  shares.push(await waitFinal((await create('b', 'l4')).shareId));
}, 60_000);
afterAll(async () => { await h?.close(); });

describe('shares.list', () => {
  it('newest first, paged by cursor without gaps or repeats', async () => {
    const newestFirst = [...shares].reverse().map((s) => s.shareId);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const r = await rpc(publisherSharesList, { userId: USER, limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...r.items.map((i) => i.shareId));
      if (!r.nextCursor) break;
      expect(r.items).toHaveLength(3);
      cursor = r.nextCursor;
    }
    expect(seen).toEqual(newestFirst);
  });

  it('an unreadable cursor is a validation error, not a silent first page', async () => {
    expect(await codeOf(rpc(publisherSharesList, { userId: USER, limit: 3, cursor: 'not-a-cursor' }))).toBe('validation_failed');
  });

  it('filters by status and by account', async () => {
    const failed = await rpc(publisherSharesList, { userId: USER, status: 'failed', limit: 20 });
    expect(failed.items.map((i) => i.shareId)).toEqual([shares[3]!.shareId]);
    expect(failed.items[0]).toMatchObject({ status: 'failed', publishId: null });
    const ofA = await rpc(publisherSharesList, { userId: USER, accountId: h.acc('a'), limit: 20 });
    expect(ofA.items.map((i) => i.shareId)).toEqual(shares.slice(0, 3).map((s) => s.shareId).reverse());
    expect(ofA.items.every((i) => i.status === 'published')).toBe(true);
  });

  it('another user sees none of them; someone else\'s account is not_found', async () => {
    expect((await rpc(publisherSharesList, { userId: 'someone-else', limit: 20 })).items).toEqual([]);
    expect(await codeOf(rpc(publisherSharesList, { userId: USER, accountId: otherAccount, limit: 20 }))).toBe('not_found');
    expect(await codeOf(rpc(publisherSharesList, { userId: 'someone-else', accountId: h.acc('a'), limit: 20 }))).toBe('not_found');
    expect(await codeOf(rpc(publisherSharesGet, { userId: 'someone-else', shareId: shares[0]!.shareId }))).toBe('not_found');
  });
});

describe('creator-info', () => {
  it('a creator who can post: the options TikTok offers', async () => {
    const info = await rpc(publisherCreatorInfo, { userId: USER, accountId: h.acc('a') });
    expect(info).toMatchObject({ canPost: true });
    expect(info.privacyLevelOptions).toContain('SELF_ONLY');
    expect(info.maxVideoPostDurationSec).toBeGreaterThan(0);
  });

  it('banned1: canPost false with the reason', async () => {
    const info = await rpc(publisherCreatorInfo, { userId: USER, accountId: h.acc('banned') });
    expect(info.canPost).toBe(false);
    expect(info.reason).toMatch(/banned/);
  });

  it('someone else\'s account is not_found', async () => {
    expect(await codeOf(rpc(publisherCreatorInfo, { userId: USER, accountId: otherAccount }))).toBe('not_found');
  });
});

describe('admin', () => {
  it('events: the whole log paged by cursor, and one stream in order', async () => {
    const page = async () => {
      const ids: string[] = [];
      let after: string | undefined;
      for (let i = 0; i < 100; i++) {
        const r = await rpc(admin.events, { limit: 5, ...(after ? { after } : {}) });
        ids.push(...r.items.map((e) => e.id));
        if (!r.next) break;
        after = r.next;
      }
      return ids;
    };
    const total = (await sql<{ n: string }>`select count(*)::text as n from ${sql.id(h.schema)}.es_events`.execute(h.db.db)).rows[0]?.n;
    // The log is read gap-safe: an event stays hidden while an older transaction (any session on
    // the shared server) is still open, so the last ones may show up a moment later.
    let all = await page();
    for (const until = Date.now() + 5_000; all.length < Number(total) && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 50));
      all = await page();
    }
    expect(all).toHaveLength(Number(total));
    expect(new Set(all).size).toBe(all.length);
    const stream = await rpc(admin.events, { streamId: `share-${shares[0]!.shareId}`, limit: 100 });
    expect(stream.items.map((e) => e.streamVersion)).toEqual(stream.items.map((_, i) => i + 1));
    expect(stream.items[0]?.type).toBe('ShareRequested');
  });

  it('audit: every event of one share, in order, correlated by its id', async () => {
    const { events } = await rpc(admin.audit, { shareId: shares[1]!.shareId });
    expect(events.every((e) => e.correlationId === shares[1]!.shareId)).toBe(true);
    expect(events[0]?.type).toBe('ShareRequested');
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['UploadInitialized', 'ChunkUploaded', 'PublishCompleted']));
    expect(events.at(-1)?.type).toBe('PublishCompleted');
  });

  it('rebuild replays the events into identical share views', async () => {
    const rows = () => sql`select * from ${sql.id(h.schema)}.shares order by share_id`.execute(h.db.db).then((r) => r.rows);
    const before = await rows();
    expect(before).toHaveLength(shares.length);
    // Spoil the read model so a rebuild that did nothing could not pass.
    await sql`update ${sql.id(h.schema)}.shares set title = 'spoiled', status = 'requested'`.execute(h.db.db);
    // And the work queue (the other inline projection): a stray row for a finished share must go.
    const work = () => sql`select share_id from ${sql.id(h.schema)}.share_work`.execute(h.db.db).then((r) => r.rows);
    const workBefore = await work();
    await sql`insert into ${sql.id(h.schema)}.share_work (share_id) values (${shares[0]!.shareId}) on conflict do nothing`.execute(h.db.db);
    expect(await rpc(admin.rebuild, {})).toEqual({ started: true });
    const until = Date.now() + 15_000;
    let status = await rpc(admin.rebuildStatus, {});
    while (status.running && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      status = await rpc(admin.rebuildStatus, {});
    }
    expect(status).toMatchObject({ state: 'done', running: false, processed: status.total });
    expect(status.processed).toBeGreaterThan(0);
    expect(await rows()).toEqual(before);
    expect(await work()).toEqual(workBefore);
  });
});
