/**
 * Integration harness: real PostgreSQL (own schema), real NATS (own prefix), the TikTok emulator on
 * a real port, and either
 * - `peers: 'real'`: the REAL auth-service and quota-service on the same database (own schemas) and
 *   NATS prefix; accounts are connected through auth's OAuth flow, `acc(alias)` gives their ids; or
 * - `peers: 'stand-in'` (default): small RPC responders standing in for auth and quota, for tests
 *   that inject a specific behaviour (tokens from the emulator's OAuth flow; quota grants
 *   everything and records calls in `quotaCalls`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { serveRpc } from '@tiktok-share/messaging/rpc.ts';
import { testNatsBus, type TestNatsBus } from '@tiktok-share/messaging/testing.ts';
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { AppError, notFound } from '@tiktok-share/platform/errors.ts';
import { accessTokenFingerprint, authAccountsGet, authToken, authWebhook, quotaAcquire, quotaExhausted, quotaRelease, quotaReserve } from '@tiktok-share/contracts/rpc.ts';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import type { Subscription } from '@tiktok-share/messaging/port.ts';
import { connectCreator, startEmulator, type RunningEmulator, type TokenJson, type EmulatorOptions } from '@tiktok-share/tiktok-emulator';
import { createPublisherService, type PublisherServiceDeps } from '../app.ts';
import { DEFAULT_PUBLISHER_CONFIG } from '../application/context.ts';
import type { PublisherServiceConfig } from '../config.ts';
import { startRealPeers, type RealPeers } from './real-peers.int.ts';

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
  /** The real peers (`peers: 'real'` only). */
  peers: RealPeers | null;
  /** The account id of an alias (the alias itself with stand-ins). */
  acc(alias: string): string;
  startService(over?: Partial<PublisherServiceDeps>): Promise<ReturnType<typeof createPublisherService>>;
  control(path: string, body?: unknown): Promise<unknown>;
  state(): Promise<{ publishes: Array<{ publishId: string; sha256: string | null; status: string; chunksReceived: number; totalChunks: number; mode: string; source: string; postIds: string[] }>; violations: unknown[]; initCalls: unknown }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  peers?: 'stand-in' | 'real';
}

export async function createHarness(accounts: Account[], emuOptions: EmulatorOptions = {}, configOver: Partial<PublisherServiceConfig> = {}, opts: HarnessOptions = {}): Promise<Harness> {
  const emu = await startEmulator({ processingDelayMs: 0, ...emuOptions });
  const nats = await testNatsBus();
  const db = await testDatabase();
  const schema = db.schema('publisher');
  const mediaRoot = await mkdtemp(join(tmpdir(), 'pub-media-'));
  const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' });
  const tokens = new Map<string, TokenJson>();
  const quotaCalls: Harness['quotaCalls'] = [];
  const ids = new Map<string, string>();
  let peers: RealPeers | null = null;
  let subs: Subscription[] = [];
  if (opts.peers === 'real') {
    peers = await startRealPeers({ db: db.db, authSchema: db.schema('auth'), quotaSchema: db.schema('quota'), bus: nats.bus, emu, logger });
    for (const a of accounts) ids.set(a.accountId, await connectReal(peers, nats.bus, emu, a));
  } else {
    for (const a of accounts) tokens.set(a.accountId, await connectCreator(emu.emulator, a.creator));
    subs = await standIns(emu, nats.bus, accounts, tokens, quotaCalls);
  }
  const config: PublisherServiceConfig = {
    ...DEFAULT_PUBLISHER_CONFIG, clientKey: emu.emulator.state.settings.clientKey, clientSecret: emu.emulator.state.settings.clientSecret,
    apiBaseUrl: emu.url, authUrl: `${emu.url}/v2/auth/authorize/`, mediaRoot, workerId: 'w1', appAudited: true,
    leaseMs: 3_000, workPollMs: 100, retryBaseMs: 20, statusPollMs: 50, statusPollMaxMs: 200, statusDeadlineMs: 20_000, ...configOver,
  };
  const services: Array<ReturnType<typeof createPublisherService>> = [];
  return {
    emu, nats, db, schema, mediaRoot, config, tokens, quotaCalls, peers,
    acc: (alias) => ids.get(alias) ?? alias,
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
      await peers?.stop();
      await nats.cleanup();
      await db.cleanup();
      await emu.close();
      await rm(mediaRoot, { recursive: true, force: true });
    },
  };
}

/** Stand-ins for auth and quota (see the file comment). */
async function standIns(emu: RunningEmulator, bus: TestNatsBus['bus'], accounts: Account[], tokens: Map<string, TokenJson>, quotaCalls: Harness['quotaCalls']): Promise<Subscription[]> {
  const q = { queue: 'stand-in' };
  return Promise.all([
    serveRpc(bus, authAccountsGet.subject, authAccountsGet.input, (i) => {
      const a = accounts.find((x) => x.accountId === i.accountId);
      if (!a || i.userId !== USER) throw notFound('Account not found');
      const t = tokens.get(a.accountId)!;
      return { accountId: a.accountId, openId: t.open_id, displayName: a.creator, avatarUrl: null, scopes: t.scope.split(','), status: a.status, connectedAt: new Date().toISOString() };
    }, q),
    serveRpc(bus, authToken.subject, authToken.input, async (i) => {
      const a = accounts.find((x) => x.accountId === i.accountId);
      // Like auth: with userId, ownership first (404), then the status.
      if (!a || (i.userId !== undefined && i.userId !== USER)) throw notFound();
      if (a.status !== 'connected') throw new AppError('reauthorization_required', 409, 'reconnect');
      let t = tokens.get(a.accountId)!;
      // Like auth: refresh only when the rejected token is still the current one.
      if (i.rejectedAccessTokenSha256 === accessTokenFingerprint(t.access_token)) t = await refresh(emu, t);
      tokens.set(a.accountId, t);
      const owner = i.userId !== undefined ? { userId: i.userId, status: 'connected' as const } : {};
      return { accessToken: t.access_token, openId: t.open_id, scopes: t.scope.split(','), accessExpiresAt: new Date(Date.now() + t.expires_in * 1000 + tokens.size).toISOString(), ...owner };
    }, q),
    serveRpc(bus, quotaReserve.subject, quotaReserve.input, (i) => {
      quotaCalls.push({ op: 'reserve', input: i });
      return { reservationId: `r-${i.shareId}`, kind: i.mode === 'direct' ? 'daily_post' : 'pending_draft', used: 1, limit: 15, windowStartsAt: new Date().toISOString() } as const;
    }, q),
    serveRpc(bus, quotaRelease.subject, quotaRelease.input, (i) => { quotaCalls.push({ op: 'release', input: i }); return {}; }, q),
    serveRpc(bus, quotaAcquire.subject, quotaAcquire.input, (i) => { quotaCalls.push({ op: 'acquire', input: i }); return { granted: true as const }; }, q),
    serveRpc(bus, quotaExhausted.subject, quotaExhausted.input, (i) => { quotaCalls.push({ op: 'exhausted', input: i }); return {}; }, q),
  ]);
}

/** Connects through the real auth; an account meant to need reauthorization is then revoked at TikTok's word. */
async function connectReal(peers: RealPeers, bus: TestNatsBus['bus'], emu: RunningEmulator, a: Account): Promise<string> {
  const id = await peers.connect(USER, a.creator);
  if (a.status === 'reauthorization_required') {
    const hook = { client_key: emu.emulator.state.settings.clientKey, event: 'authorization.removed', create_time: Math.floor(Date.now() / 1000), user_openid: a.creator, content: '{"reason":1}' };
    await callRpc(bus, authWebhook.subject, hook, authWebhook.output);
  }
  return id;
}

async function refresh(emu: RunningEmulator, t: TokenJson): Promise<TokenJson> {
  const { clientKey, clientSecret } = emu.emulator.state.settings;
  const res = await fetch(`${emu.url}/v2/oauth/token/`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_key: clientKey, client_secret: clientSecret, grant_type: 'refresh_token', refresh_token: t.refresh_token }),
  });
  return (await res.json()) as TokenJson;
}
