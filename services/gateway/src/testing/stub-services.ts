/**
 * Stub auth / quota / publisher responders for route tests, the browser test and the benchmark.
 * They stand in for other processes at the bus boundary (the documented RPC ops), enforce
 * ownership like the real services (foreign → 404 not_found) and record what they received.
 */
import { z } from 'zod';
import * as rpc from '@tiktok-share/contracts/rpc.ts';
import type { AccountView, CreatorInfoView, ShareView } from '@tiktok-share/contracts/rest.ts';
import type { Envelope } from '@tiktok-share/contracts/envelope.ts';
import { serveRpc } from '@tiktok-share/messaging/rpc.ts';
import type { Bus, Subscription } from '@tiktok-share/messaging/port.ts';
import { AppError, notFound } from '@tiktok-share/platform/errors.ts';

export interface StubState {
  accounts: Map<string, AccountView & { userId: string }>;
  shares: Map<string, ShareView & { userId: string }>;
  creatorInfo: Map<string, CreatorInfoView>;
  calls: Array<{ subject: string; input: unknown; headers: Record<string, string> }>;
  audit: Record<'auth' | 'quota' | 'publisher', Envelope[]>;
  healthy: Record<'auth' | 'quota' | 'publisher', boolean>;
  /** What `tiktok.rpc.<svc>.metrics` answers; `down` makes it fail (`error`) or answer too late (`hang`, 1 s). */
  metrics: Record<'auth' | 'quota' | 'publisher', { text: string; down?: 'error' | 'hang' | undefined }>;
}

/** A tiny exposition as a service's registry would produce it (every series carries `service`). */
export function stubMetricsText(service: string): string {
  return [
    '# HELP tiktok_api_calls_total Calls to the TikTok API by endpoint and outcome',
    '# TYPE tiktok_api_calls_total counter',
    `tiktok_api_calls_total{service="${service}",endpoint="token",outcome="ok"} 1`,
    '',
  ].join('\n');
}

export const T0 = '2026-01-01T00:00:00.000Z';

export function stubAccount(userId: string, accountId: string, openId = `open-${accountId}`): AccountView & { userId: string } {
  return { userId, accountId, openId, displayName: `Creator ${accountId}`, avatarUrl: null, scopes: ['user.info.basic', 'video.publish', 'video.upload'], status: 'connected', connectedAt: T0 };
}

export function stubShare(userId: string, shareId: string, accountId: string, status: ShareView['status'] = 'uploading'): ShareView & { userId: string } {
  return {
    userId, shareId, accountId, mode: 'direct', status, title: 'hello', privacyLevel: 'SELF_ONLY', publishId: 'p_1', videoSize: 200000,
    uploadedBytes: 0, chunksUploaded: 0, totalChunks: 1, postIds: [], failure: null, createdAt: T0, updatedAt: T0,
  };
}

export const defaultCreatorInfo: CreatorInfoView = {
  nickname: 'Public Creator', username: 'public1', avatarUrl: null,
  privacyLevelOptions: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
  commentDisabled: false, duetDisabled: true, stitchDisabled: true, maxVideoPostDurationSec: 600, canPost: true,
};

export function emptyStubState(): StubState {
  return {
    accounts: new Map(), shares: new Map(), creatorInfo: new Map(), calls: [],
    audit: { auth: [], quota: [], publisher: [] }, healthy: { auth: true, quota: true, publisher: true },
    metrics: { auth: { text: stubMetricsText('auth') }, quota: { text: stubMetricsText('quota') }, publisher: { text: stubMetricsText('publisher') } },
  };
}

function strip<T extends { userId: string }>(v: T): Omit<T, 'userId'> {
  const { userId: _u, ...rest } = v;
  return rest;
}

/** Start every responder; returns the subscriptions so tests can stop them. */
export async function startStubServices(bus: Bus, state: StubState): Promise<Subscription[]> {
  const serve = <I extends z.ZodType>(op: { subject: string; input: I }, handler: (input: z.output<I>) => unknown, queue: string) =>
    serveRpc(bus, op.subject, op.input, async (input, ctx) => {
      state.calls.push({ subject: op.subject, input, headers: ctx.headers });
      return handler(input);
    }, { queue });
  const ownedAccount = (userId: string, accountId: string) => {
    const a = state.accounts.get(accountId);
    if (!a || a.userId !== userId) throw notFound('Account not found');
    return a;
  };
  const ownedShare = (userId: string, shareId: string) => {
    const s = state.shares.get(shareId);
    if (!s || s.userId !== userId) throw notFound('Share not found');
    return s;
  };
  const subs: Array<Promise<Subscription>> = [
    serve(rpc.authStart, (i) => ({ authUrl: `https://tiktok.example/auth?state=s-${i.userId}`, state: `s-${i.userId}`, expiresAt: T0 }), 'auth-service'),
    serve(rpc.authCallback, (i) => ({ redirectTo: i.error ? '/?tiktok=error&code=access_denied' : '/?tiktok=connected&accountId=a1' }), 'auth-service'),
    serve(rpc.authAccountsList, (i) => ({ accounts: [...state.accounts.values()].filter((a) => a.userId === i.userId).map(strip) }), 'auth-service'),
    serve(rpc.authAccountsGet, (i) => strip(ownedAccount(i.userId, i.accountId)), 'auth-service'),
    serve(rpc.authAccountsDisconnect, (i) => { ownedAccount(i.userId, i.accountId).status = 'disconnected'; return {}; }, 'auth-service'),
    serve(rpc.authWebhook, () => ({}), 'auth-service'),
    serve(rpc.quotaStatus, () => ({ daily: { limit: 15, used: 3, remaining: 12, resetsAt: T0 }, drafts: { limit: 5, pending: 1 }, rate: {} }), 'quota-service'),
    serve(rpc.publisherCreatorInfo, (i) => { ownedAccount(i.userId, i.accountId); return state.creatorInfo.get(i.accountId) ?? defaultCreatorInfo; }, 'publisher-service'),
    serve(rpc.publisherSharesCreate, (i) => {
      ownedAccount(i.userId, i.request.accountId);
      const shareId = `share-${i.idempotencyKey}`;
      const existing = state.shares.get(shareId);
      if (existing) return strip(existing);
      const share = { ...stubShare(i.userId, shareId, i.request.accountId, 'requested'), mode: i.request.mode, title: i.request.title, privacyLevel: i.request.privacyLevel ?? null, publishId: null };
      state.shares.set(shareId, share);
      return strip(share);
    }, 'publisher-service'),
    serve(rpc.publisherSharesGet, (i) => strip(ownedShare(i.userId, i.shareId)), 'publisher-service'),
    serve(rpc.publisherSharesList, (i) => ({ items: [...state.shares.values()].filter((s) => s.userId === i.userId).slice(0, i.limit).map(strip), nextCursor: null }), 'publisher-service'),
    serve(rpc.publisherWebhook, () => ({}), 'publisher-service'),
  ];
  for (const svc of ['auth', 'quota', 'publisher'] as const) {
    const ops = rpc.adminRpc(svc);
    subs.push(
      serve(ops.events, (i) => ({ items: state.audit[svc].filter((e) => !i.streamId || e.streamId === i.streamId).slice(0, i.limit), next: null }), `${svc}-service`),
      serve(ops.audit, (i) => ({ events: state.audit[svc].filter((e) => e.correlationId === i.shareId) }), `${svc}-service`),
      serve(ops.rebuild, () => ({ started: true as const }), `${svc}-service`),
      serve(ops.health, () => {
        if (!state.healthy[svc]) throw new AppError('unhealthy', 503, 'db down');
        return { service: svc, db: true, bus: true };
      }, `${svc}-service`),
      serve(ops.metrics, async () => {
        const m = state.metrics[svc];
        if (m.down === 'error') throw new AppError('unavailable', 503, 'metrics unavailable');
        if (m.down === 'hang') await new Promise((r) => setTimeout(r, 1000));
        return { text: m.text };
      }, `${svc}-service`),
    );
  }
  return Promise.all(subs);
}
