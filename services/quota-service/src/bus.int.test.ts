/**
 * The service through its real edges: RPC over NATS, the publisher's events through durable
 * JetStream consumers (with inbox protection), public events out through the outbox relay, admin.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeEnvelope, eventCatalogue, parseEnvelope, streams, type EventType } from '@tiktok-share/contracts';
import { adminRpc, quotaAcquire, quotaExhausted, quotaRelease, quotaReserve, quotaStatus } from '@tiktok-share/contracts/rpc.ts';
import { callRpc } from '@tiktok-share/messaging';
import { isAppError } from '@tiktok-share/platform/errors.ts';
import { DAY_MS } from './domain/creator-quota.ts';
import { findReservation } from './projections/quota.queries.ts';
import { quotaFixture, type QuotaFixture } from './quota.fixture.ts';

let f: QuotaFixture;
beforeEach(async () => {
  f = await quotaFixture();
});
afterEach(async () => f.cleanup());

const rpcReserve = (shareId: string, openId = 'creator-1', mode: 'direct' | 'draft' = 'direct') =>
  callRpc(f.busA, quotaReserve.subject, { shareId, accountId: 'acc-1', openId, mode }, quotaReserve.output);

async function publishShareEvent<T extends EventType>(type: T, data: unknown, id: string = randomUUID(), msgId: string = id): Promise<string> {
  const shareId = (data as { shareId: string }).shareId;
  const envelope = {
    id, type, version: 1, streamId: `share-${shareId}`, streamVersion: 2, occurredAt: new Date().toISOString(),
    correlationId: shareId, causationId: null, data,
  };
  await f.busB.publish(eventCatalogue[type].subject, encodeEnvelope(envelope), { msgId });
  return id;
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const status = (shareId: string) => findReservation(f.db, f.schema, shareId).then((r) => r?.status);

describe('RPC', () => {
  it('reserve, status, release, exhausted and acquire answer over NATS', async () => {
    const r = await rpcReserve('s1');
    expect(r).toMatchObject({ kind: 'daily_post', used: 1, limit: 15, windowStartsAt: new Date(f.clock.ms - DAY_MS).toISOString() });
    const view = await callRpc(f.busB, quotaStatus.subject, { openId: 'creator-1' }, quotaStatus.output);
    expect(view.daily).toMatchObject({ used: 1, remaining: 14 });
    await callRpc(f.busB, quotaRelease.subject, { shareId: 's1', reason: 'user_cancelled' }, quotaRelease.output);
    expect(await status('s1')).toBe('released');
    await callRpc(f.busA, quotaExhausted.subject, { openId: 'creator-1', code: 'spam_risk_too_many_posts' }, quotaExhausted.output);
    const err = await rpcReserve('s2').catch((e: unknown) => e);
    expect(isAppError(err) && [err.status, err.code, err.extra.retryAt]).toEqual([429, 'daily_limit_reached', new Date(f.clock.ms + DAY_MS).toISOString()]);
    const after = await callRpc(f.busA, quotaStatus.subject, { openId: 'creator-1' }, quotaStatus.output);
    expect(after.daily).toMatchObject({ used: 0, remaining: 0 });
    expect(await callRpc(f.busA, quotaAcquire.subject, { tokenKey: 'k', openId: 'creator-1', endpoint: 'status' }, quotaAcquire.output)).toEqual({ granted: true });
  });

  it('rejects malformed input with validation_failed', async () => {
    const err = await callRpc(f.busA, quotaReserve.subject, { shareId: 's', mode: 'sideways' }, quotaReserve.output).catch((e: unknown) => e);
    expect(isAppError(err) && [err.status, err.code]).toEqual([400, 'validation_failed']);
  });

  it('health and admin events/audit', async () => {
    await rpcReserve('s1');
    const admin = adminRpc('quota');
    expect(await callRpc(f.busA, admin.health.subject, {}, admin.health.output)).toEqual({ service: 'quota', db: true, bus: true });
    const events = await callRpc(f.busA, admin.events.subject, { streamId: 'creator-creator-1', limit: 10 }, admin.events.output);
    expect(events.items.map((e) => e.type)).toEqual(['QuotaReserved']);
    const audit = await callRpc(f.busA, admin.audit.subject, { shareId: 's1' }, admin.audit.output);
    expect(audit.events).toHaveLength(1);
    expect(audit.events[0]).toMatchObject({ correlationId: 's1', type: 'QuotaReserved' });
  });
});

describe('publisher events', () => {
  it('UploadInitialized consumes once; a consumed post stays counted after PublishFailed and rolls out after 24 h', async () => {
    const limit = 15;
    for (let i = 0; i < limit; i++) await rpcReserve(`s${i}`);
    const init = { publishId: 'p-0', mode: 'direct', source: 'FILE_UPLOAD', videoSize: 10, chunkSize: 10, totalChunks: 1 };
    const id = await publishShareEvent('UploadInitialized', { shareId: 's0', ...init });
    // The same event again under another msgId (JetStream would not dedupe it): the inbox does.
    await publishShareEvent('UploadInitialized', { shareId: 's0', ...init }, id, randomUUID());
    expect(await eventually(() => status('s0'), (s) => s === 'consumed')).toBe('consumed');
    await publishShareEvent('PublishFailed', { shareId: 's0', publishId: 'p-0', code: 'upload_failed', message: 'x', retryable: false, stage: 'upload' });
    await publishShareEvent('PublishFailed', { shareId: 's1', publishId: null, code: 'init_failed', message: 'x', retryable: false, stage: 'init' });
    expect(await eventually(() => status('s1'), (s) => s === 'released')).toBe('released');
    expect(await status('s0')).toBe('consumed');
    const consumed = (await f.a.context.store.readStream('creator-creator-1')).filter((e) => e.type === 'ReservationConsumed');
    expect(consumed).toHaveLength(1);
    expect(consumed[0]?.metadata).toMatchObject({ correlationId: 's0', causationId: id });
    // 13 reserved + 1 consumed = 14 used. After 24 h, with the 13 swept, only s0 is left — then it rolls too.
    await f.a.sweep();
    f.clock.advance(DAY_MS - 1);
    await f.a.sweep();
    expect((await callRpc(f.busA, quotaStatus.subject, { openId: 'creator-1' }, quotaStatus.output)).daily.used).toBe(1);
    f.clock.advance(1);
    expect((await callRpc(f.busA, quotaStatus.subject, { openId: 'creator-1' }, quotaStatus.output)).daily.used).toBe(0);
  });

  it('PublishFailed with spam_risk_too_many_posts releases and marks the creator exhausted', async () => {
    await rpcReserve('s1');
    await publishShareEvent('PublishFailed', { shareId: 's1', code: 'spam_risk_too_many_posts', message: 'x', retryable: false, stage: 'init' });
    expect(await eventually(() => status('s1'), (s) => s === 'released')).toBe('released');
    const err = await rpcReserve('s2').catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('daily_limit_reached');
    expect(await rpcReserve('d1', 'creator-1', 'draft')).toMatchObject({ kind: 'pending_draft' });
  });
});

describe('outbox and read model', () => {
  it('publishes QuotaReserved / QuotaRejected / QuotaReleased that match the contracts', async () => {
    const seen: string[] = [];
    const sub = await f.busA.consume({
      stream: streams.quota.name,
      durable: 'test--quota-events',
      filterSubject: 'tiktok.quota.>',
      handler: async (msg) => {
        const e = parseEnvelope(msg.data); // throws on a contract mismatch → the test times out below
        seen.push(`${e.type}:${e.correlationId}`);
      },
    });
    await rpcReserve('s1');
    await callRpc(f.busA, quotaRelease.subject, { shareId: 's1', reason: 'publish_failed' }, quotaRelease.output);
    await callRpc(f.busA, quotaExhausted.subject, { openId: 'creator-1', code: 'spam_risk_too_many_posts' }, quotaExhausted.output);
    await rpcReserve('s2').catch(() => undefined);
    await eventually(async () => seen.length, (n) => n >= 3);
    await sub.stop();
    expect(seen).toEqual(['QuotaReserved:s1', 'QuotaReleased:s1', 'QuotaRejected:s2']);
  });

  it('admin.rebuild replays the ledger into the same view', async () => {
    for (let i = 0; i < 4; i++) await rpcReserve(`s${i}`);
    await callRpc(f.busA, quotaRelease.subject, { shareId: 's2', reason: 'x' }, quotaRelease.output);
    await rpcReserve('d0', 'creator-1', 'draft');
    const before = await callRpc(f.busA, quotaStatus.subject, { openId: 'creator-1' }, quotaStatus.output);
    const { sql } = await import('kysely');
    await sql`delete from ${sql.id(f.schema)}.quota_reservations`.execute(f.db);
    expect((await callRpc(f.busA, quotaStatus.subject, { openId: 'creator-1' }, quotaStatus.output)).daily.used).toBe(0);
    const admin = adminRpc('quota');
    expect(await callRpc(f.busA, admin.rebuild.subject, {}, admin.rebuild.output)).toEqual({ started: true });
    const after = await eventually(
      () => callRpc(f.busA, quotaStatus.subject, { openId: 'creator-1' }, quotaStatus.output),
      (v) => v.daily.used === before.daily.used,
    );
    expect(after).toEqual(before);
    expect(before.daily.used).toBe(3);
    expect(before.drafts.pending).toBe(1);
  });
});
