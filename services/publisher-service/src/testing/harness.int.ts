/**
 * Integration harness: real PostgreSQL (own schema), real NATS (own prefix), the TikTok emulator on
 * a real port, and small RPC responders standing in for auth-service and quota-service (tokens
 * come from the emulator's real OAuth flow; quota grants everything and records calls).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { z } from 'zod';
import { serveRpc } from '@tiktok-share/messaging/rpc.ts';
import { testNatsBus, type TestNatsBus } from '@tiktok-share/messaging/testing.ts';
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { AppError, notFound } from '@tiktok-share/platform/errors.ts';
import { authAccountsGet, authToken, quotaAcquire, quotaExhausted, quotaRelease, quotaReserve } from '@tiktok-share/contracts/rpc.ts';
import { connectCreator, startEmulator, type RunningEmulator, type TokenJson, type EmulatorOptions } from '@tiktok-share/tiktok-emulator';
import { createPublisherService, type PublisherServiceDeps } from '../app.ts';
import { DEFAULT_PUBLISHER_CONFIG } from '../application/context.ts';
import type { PublisherServiceConfig } from '../config.ts';

export const USER = 'user-1';
export interface Account { accountId: string; creator: string; status: 'connected' | 'reauthorization_required' }

export interface Harness {
  emu: RunningEmulator;
  nats: TestNatsBus;
  db: Awaited<ReturnType<typeof testDatabase>>;
  schema: string;
  mediaRoot: string;
  config: PublisherServiceConfig;
  tokens: Map<string, TokenJson>;
  quotaCalls: Array<{ op: string; input: unknown }>;
  startService(over?: Partial<PublisherServiceDeps>): Promise<ReturnType<typeof createPublisherService>>;
  control(path: string, body?: unknown): Promise<unknown>;
  state(): Promise<{ publishes: Array<{ publishId: string; sha256: string | null; status: string; chunksReceived: number; totalChunks: number; mode: string; source: string; postIds: string[] }>; violations: unknown[]; initCalls: unknown }>;
  close(): Promise<void>;
}

export async function createHarness(accounts: Account[], emuOptions: EmulatorOptions = {}, configOver: Partial<PublisherServiceConfig> = {}): Promise<Harness> {
  const emu = await startEmulator({ processingDelayMs: 0, ...emuOptions });
  const nats = await testNatsBus();
  const db = await testDatabase();
  const schema = db.schema('publisher');
  const mediaRoot = await mkdtemp(join(tmpdir(), 'pub-media-'));
  const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' });
  const tokens = new Map<string, TokenJson>();
  for (const a of accounts) tokens.set(a.accountId, await connectCreator(emu.emulator, a.creator));
  const quotaCalls: Harness['quotaCalls'] = [];
  const q = { queue: 'stand-in' };
  const subs = await Promise.all([
    serveRpc(nats.bus, authAccountsGet.subject, authAccountsGet.input, (i) => {
      const a = accounts.find((x) => x.accountId === i.accountId);
      if (!a || i.userId !== USER) throw notFound('Account not found');
      const t = tokens.get(a.accountId)!;
      return { accountId: a.accountId, openId: t.open_id, displayName: a.creator, avatarUrl: null, scopes: t.scope.split(','), status: a.status, connectedAt: new Date().toISOString() };
    }, q),
    serveRpc(nats.bus, authToken.subject, authToken.input.extend({ forceRefresh: z.boolean().optional() }), async (i) => {
      const a = accounts.find((x) => x.accountId === i.accountId);
      if (!a) throw notFound();
      if (a.status !== 'connected') throw new AppError('reauthorization_required', 409, 'reconnect');
      let t = tokens.get(a.accountId)!;
      if (i.forceRefresh) t = await refresh(emu, t);
      tokens.set(a.accountId, t);
      return { accessToken: t.access_token, openId: t.open_id, scopes: t.scope.split(','), accessExpiresAt: new Date(Date.now() + t.expires_in * 1000 + tokens.size).toISOString() };
    }, q),
    serveRpc(nats.bus, quotaReserve.subject, quotaReserve.input, (i) => {
      quotaCalls.push({ op: 'reserve', input: i });
      return { reservationId: `r-${i.shareId}`, kind: i.mode === 'direct' ? 'daily_post' : 'pending_draft', used: 1, limit: 15, windowStartsAt: new Date().toISOString() } as const;
    }, q),
    serveRpc(nats.bus, quotaRelease.subject, quotaRelease.input, (i) => { quotaCalls.push({ op: 'release', input: i }); return {}; }, q),
    serveRpc(nats.bus, quotaAcquire.subject, quotaAcquire.input, () => ({ granted: true as const }), q),
    serveRpc(nats.bus, quotaExhausted.subject, quotaExhausted.input, (i) => { quotaCalls.push({ op: 'exhausted', input: i }); return {}; }, q),
  ]);
  const config: PublisherServiceConfig = {
    ...DEFAULT_PUBLISHER_CONFIG, clientKey: emu.emulator.state.settings.clientKey, clientSecret: emu.emulator.state.settings.clientSecret,
    apiBaseUrl: emu.url, authUrl: `${emu.url}/v2/auth/authorize/`, mediaRoot, workerId: 'w1', appAudited: true,
    leaseMs: 3_000, workPollMs: 100, retryBaseMs: 20, statusPollMs: 50, statusPollMaxMs: 200, statusDeadlineMs: 20_000, ...configOver,
  };
  const services: Array<ReturnType<typeof createPublisherService>> = [];
  return {
    emu, nats, db, schema, mediaRoot, config, tokens, quotaCalls,
    async startService(over = {}) {
      const s = createPublisherService({ db: db.db, schema, bus: nats.bus, logger, config, relayPollMs: 50, ...over });
      await s.start();
      services.push(s);
      return s;
    },
    async control(path, body) {
      const res = await fetch(`${emu.url}/__control/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
      return res.json();
    },
    async state() {
      return (await (await fetch(`${emu.url}/__control/state`)).json()) as never;
    },
    async close() {
      for (const s of services) await s.stop();
      await Promise.all(subs.map((s) => s.stop()));
      await nats.cleanup();
      await db.cleanup();
      await emu.close();
      await rm(mediaRoot, { recursive: true, force: true });
    },
  };
}

async function refresh(emu: RunningEmulator, t: TokenJson): Promise<TokenJson> {
  const { clientKey, clientSecret } = emu.emulator.state.settings;
  const res = await fetch(`${emu.url}/v2/oauth/token/`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_key: clientKey, client_secret: clientSecret, grant_type: 'refresh_token', refresh_token: t.refresh_token }),
  });
  return (await res.json()) as TokenJson;
}
