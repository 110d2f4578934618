/**
 * The product end to end through the gateway with the typed client: real PostgreSQL, real NATS
 * JetStream, the emulator over real HTTP (test/support/stack.ts). One stack for the file: tests run
 * in order and the last one checks TikTok never saw us over a limit during all of them.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type ShareStreamEvent, type TikTokShareClient } from '@tiktok-share/client';
import { isEventType, parseEnvelope, type IntegrationEvent } from '@tiktok-share/contracts';
import type { Subscription } from '@tiktok-share/messaging/port.ts';
import { SAMPLES, startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
let alice: TikTokShareClient;
let bob: TikTokShareClient;
let admin: TikTokShareClient;
const subs: Subscription[] = [];
/** Shares this file drove to a final status: shareId → status. */
const finished = new Map<string, string>();
let directShareId = '';
let directAccountId = '';

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');
const key = () => crypto.randomUUID();
const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof ApiError ? `${e.status} ${e.code}` : String(e)));

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A durable JetStream consumer on the stack's prefix, the way other platform services subscribe. */
async function collect(stream: string, durable: string, filterSubject: string): Promise<IntegrationEvent[]> {
  const seen: IntegrationEvent[] = [];
  subs.push(await stack.bus.consume({ stream, durable, filterSubject, handler: async (m) => { seen.push(parseEnvelope(m.data)); } }));
  return seen;
}

beforeAll(async () => {
  stack = await startStack();
  [alice, bob, admin] = await Promise.all([stack.client('alice'), stack.client('bob'), stack.client('root', ['admin'])]);
}, 60_000);

afterAll(async () => {
  await Promise.all(subs.map((s) => s.stop()));
  await stack?.stop();
});

describe('share to TikTok end to end', () => {
  it('connects, publishes a bundled sample directly with progress over SSE, and counts the post', async () => {
    directAccountId = await stack.connectAccount(alice, 'e2e-direct');
    expect((await alice.listAccounts()).accounts).toEqual([expect.objectContaining({ accountId: directAccountId, status: 'connected' })]);
    // Hold the init a moment so the SSE stream is open before anything happens to the share.
    await stack.control('faults', { endpoint: 'video_init', delayMs: 400, times: 1 });
    const share = await alice.createShare(
      { accountId: directAccountId, mode: 'direct', video: { path: 'sample-15s.mp4' }, title: 'e2e direct #test', privacyLevel: 'PUBLIC_TO_EVERYONE', isAigc: true },
      { idempotencyKey: key() },
    );
    directShareId = share.shareId;
    const events: ShareStreamEvent[] = [];
    for await (const e of alice.shareEvents(share.shareId)) events.push(e);

    await stack.waitForShare(alice, share.shareId, ['published']);
    finished.set(share.shareId, 'published');
    // TikTok announces the public post id separately (post.publish.publicly_available): it may
    // land on the view just after the status turns `published`.
    const final = await until('the post id', async () => {
      const v = await alice.getShare(share.shareId);
      return v.postIds.length > 0 ? v : undefined;
    });
    for (const id of final.postIds) expect(id).toMatch(/^\d+$/);

    const publish = (await stack.emulatorState()).publishes.find((p) => p.publishId === final.publishId);
    expect(publish).toMatchObject({ status: 'PUBLISH_COMPLETE', mode: 'direct', bytesReceived: 200_000 });
    expect(publish?.sha256).toBe(await sha256(join(SAMPLES, 'sample-15s.mp4')));

    const quota = await alice.quota(directAccountId);
    expect(quota.daily).toMatchObject({ limit: 15, used: 1, remaining: 14 });

    const types = events.map((e) => (e.kind === 'share' ? `share:${e.share.status}` : e.type));
    expect(types).toEqual(expect.arrayContaining(['UploadInitialized', 'ChunkUploaded', 'PublishCompleted']));
    expect(types.indexOf('UploadInitialized')).toBeLessThan(types.indexOf('ChunkUploaded'));
    expect(types.at(-1)).toBe('share:published');
  });

  it('sends a draft to the inbox and counts it as pending', async () => {
    const accountId = await stack.connectAccount(alice, 'e2e-draft');
    const share = await alice.createShare({ accountId, mode: 'draft', video: { path: 'sample-10s.webm' } }, { idempotencyKey: key() });
    const final = await stack.waitForShare(alice, share.shareId, ['in_inbox']);
    finished.set(share.shareId, final.status);
    expect(final.postIds).toEqual([]);
    const quota = await alice.quota(accountId);
    expect(quota.drafts.pending).toBe(1);
    expect(quota.daily.used).toBe(0);
    expect((await stack.emulatorState()).publishes.find((p) => p.publishId === final.publishId)?.mode).toBe('inbox');
  });

  it('isolates users: bob gets 404 for alice\'s account, share, quota and event stream; admin reads the audit', async () => {
    expect(await codeOf(bob.getShare(directShareId))).toBe('404 not_found');
    expect(await codeOf(bob.quota(directAccountId))).toBe('404 not_found');
    expect(await codeOf(bob.creatorInfo(directAccountId))).toBe('404 not_found');
    expect(await codeOf(bob.disconnectAccount(directAccountId))).toBe('404 not_found');
    expect(await codeOf(bob.shareEvents(directShareId).next())).toBe('404 not_found');
    expect(await codeOf(bob.createShare({ accountId: directAccountId, mode: 'draft', video: { path: 'sample-8s.mov' } }, { idempotencyKey: key() }))).toBe('404 not_found');
    expect((await bob.listAccounts()).accounts).toEqual([]);
    expect((await bob.listShares()).items).toEqual([]);
    expect(await codeOf(bob.admin.shareAudit(directShareId))).toBe('403 forbidden');
    expect((await admin.admin.shareAudit(directShareId)).events.length).toBeGreaterThan(0);
    // Alice still sees hers.
    expect((await alice.getShare(directShareId)).status).toBe('published');
  });

  it('a share list filtered by someone else\'s account is 404 (DESIGN §5: "including ?accountId=")', async () => {
    expect(await codeOf(bob.listShares({ accountId: directAccountId }))).toBe('404 not_found');
  });

  it('admin audit lists the share\'s events across services in order', async () => {
    const { events } = await admin.admin.shareAudit(directShareId);
    const types = events.map((e) => e.type);
    const milestones = ['ShareRequested', 'QuotaReserved', 'UploadInitialized', 'ChunkUploaded', 'PublishCompleted'];
    for (const t of milestones) expect(types, types.join(',')).toContain(t);
    // The publisher reserves quota before it records ShareRequested (no RPC inside its
    // transaction), so those two come in either order; everything after them is causal.
    const at = (t: string) => types.indexOf(t);
    expect(Math.max(at('ShareRequested'), at('QuotaReserved'))).toBeLessThan(at('UploadInitialized'));
    expect(at('UploadInitialized')).toBeLessThan(at('ChunkUploaded'));
    expect(types.lastIndexOf('ChunkUploaded')).toBeLessThan(at('PublishCompleted'));
    const times = events.map((e) => Date.parse(e.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const e of events) expect(e.correlationId).toBe(directShareId);
    // The audit also shows internal events (e.g. UploadUrlIssued); the public ones are valid
    // envelopes, the same bytes other services receive.
    const published = events.filter((e) => isEventType(e.type));
    expect(published.length).toBeGreaterThanOrEqual(milestones.length);
    for (const e of published) expect(parseEnvelope(JSON.stringify(e)).id).toBe(e.id);
  });

  it('rebuilding the publisher\'s and auth\'s projections leaves every view identical', async () => {
    const snapshot = async () => ({
      shares: (await alice.listShares({ limit: 100 })).items,
      views: await Promise.all([...finished.keys()].map((id) => alice.getShare(id))),
      accounts: (await alice.listAccounts()).accounts,
    });
    const before = await snapshot();
    expect(before.shares.length).toBe(finished.size);
    expect(before.accounts.length).toBe(2);
    const token = await stack.tokenFor('root', ['admin']);
    for (const service of ['publisher', 'auth']) {
      const res = await fetch(`${stack.url}/api/v1/admin/projections/${service}/rebuild`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(202);
    }
    // The rebuild runs in the background: the views may be briefly partial, never different at the end.
    const same = JSON.stringify(before);
    await until('views identical after the rebuild', async () => (JSON.stringify(await snapshot().catch(() => null)) === same ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(await snapshot()).toEqual(before);
  });

  it('a revocation at TikTok disconnects the account and reaches a JetStream consumer', async () => {
    const disconnected = await collect('TIKTOK_AUTH', 'e2e--account-disconnected', 'tiktok.account.disconnected.v1');
    const accountId = await stack.connectAccount(alice, 'e2e-revoke');
    const account = (await alice.listAccounts()).accounts.find((a) => a.accountId === accountId)!;
    const res = await stack.control('revoke', { openId: account.openId });
    expect(res.status).toBe(200);
    await until('account disconnected', async () => ((await alice.listAccounts()).accounts.find((a) => a.accountId === accountId)?.status === 'disconnected' ? true : undefined));
    const event = await until('AccountDisconnected on JetStream', () => disconnected.find((e) => e.type === 'AccountDisconnected' && e.data.accountId === accountId));
    expect(event.data).toMatchObject({ accountId, userId: 'alice', openId: account.openId, reason: 'revoked_at_tiktok' });
    expect(await codeOf(alice.createShare({ accountId, mode: 'draft', video: { path: 'sample-8s.mov' } }, { idempotencyKey: key() }))).toMatch(/^(404 not_found|409 \w+)$/);
  });

  it('other services see exactly one valid PublishCompleted per finished share', async () => {
    const completed = await collect('TIKTOK_PUBLISHER', 'e2e--publish-completed', 'tiktok.share.publish_completed.v1');
    const ids = [...finished.keys()];
    const shareIdOf = (e: IntegrationEvent) => (e.type === 'PublishCompleted' ? e.data.shareId : undefined);
    await until('every PublishCompleted', () => (ids.every((id) => completed.some((e) => shareIdOf(e) === id)) ? true : undefined));
    await new Promise((r) => setTimeout(r, 300)); // room for a duplicate to show up
    for (const id of ids) {
      const mine = completed.filter((e) => shareIdOf(e) === id);
      expect(mine, id).toHaveLength(1);
      expect(mine[0]!.correlationId).toBe(id);
    }
    const direct = completed.find((e) => shareIdOf(e) === directShareId);
    expect(direct?.type === 'PublishCompleted' && direct.data.postIds.every((p) => typeof p === 'string')).toBe(true);
  });

  it('never went over TikTok\'s limits', async () => {
    const state = await stack.emulatorState();
    expect(state.violations).toEqual([]);
    expect(state.publishes.length).toBe(finished.size);
  });
});
