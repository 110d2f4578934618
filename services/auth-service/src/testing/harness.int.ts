/**
 * Integration harness: real PostgreSQL (own schema), real NATS (own prefix), the TikTok emulator
 * over real HTTP, pino into memory, an injected clock, and a spy on the TikTok client that records
 * every token TikTok issued and every refresh token presented.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { callRpc } from '@tiktok-share/messaging';
import { testNatsBus, type TestNatsBus } from '@tiktok-share/messaging/testing.ts';
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { createTikTokClient, type TokenSet } from '@tiktok-share/tiktok';
import { startEmulator } from '@tiktok-share/tiktok-emulator';
import { authCallback, authStart } from '@tiktok-share/contracts/rpc.ts';
import { createAuthService } from '../app.ts';
import type { TikTokAuthApi } from '../application/context.ts';

export const REDIRECT_URI = 'http://127.0.0.1:9/api/v1/tiktok/auth/callback';

export interface Spy {
  issued: TokenSet[];
  refreshCalls: string[];
}

export async function createHarness() {
  const running = await startEmulator({ port: 0 });
  const emulator = { url: running.url, state: running.emulator.state, close: () => running.close() };
  const t = await testDatabase();
  const schema = t.schema('auth');
  const nats: TestNatsBus = await testNatsBus();
  const logs: string[] = [];
  const logger = pino({ level: 'debug', base: { service: 'auth' } }, new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } }));
  const clock = { ms: Date.now() };
  const spy: Spy = { issued: [], refreshCalls: [] };
  const config = {
    clientKey: 'emulator-client-key',
    clientSecret: 'emulator-client-secret',
    redirectUri: REDIRECT_URI,
    authUrl: `${emulator.url}/v2/auth/authorize/`,
    apiBaseUrl: emulator.url,
    scopes: ['user.info.basic', 'video.publish', 'video.upload'],
    encryptionKeys: randomBytes(32).toString('base64url'),
  };
  const real = createTikTokClient({ clientKey: config.clientKey, clientSecret: config.clientSecret, apiBaseUrl: config.apiBaseUrl, authUrl: config.authUrl });
  const tiktok: TikTokAuthApi = {
    authorizeUrl: (i) => real.authorizeUrl(i),
    exchangeCode: async (i) => {
      const s = await real.exchangeCode(i);
      spy.issued.push(s);
      return s;
    },
    refresh: async (rt) => {
      spy.refreshCalls.push(rt);
      const s = await real.refresh(rt);
      spy.issued.push(s);
      return s;
    },
    revoke: (a) => real.revoke(a),
    userInfo: (a, f) => real.userInfo(a, f),
  };
  const instance = (bus = nats.bus, overrides: Partial<typeof config> = {}) =>
    createAuthService({ db: t.db, schema, bus, logger, config: { ...config, ...overrides }, now: () => new Date(clock.ms), tiktok, relayPollMs: 50 });
  const service = instance();
  await service.start();
  const extra: Array<{ stop(): Promise<void> }> = [];

  return {
    emulator, db: t.db, schema, bus: nats.bus, logs, clock, spy, service, config, real,
    /** Another auth-service instance on the same schema, its own NATS connection. */
    async secondInstance(overrides: Partial<typeof config> = {}) {
      const s = instance(await nats.peer(), overrides);
      await s.start();
      extra.push(s);
      return s;
    },
    /** Runs the browser part: start → emulator authorize (consent skipped) → callback RPC. */
    async connect(userId: string, creator: string, opts: { consent?: 'allow' | 'deny'; returnTo?: string } = {}) {
      const start = await callRpc(nats.bus, authStart.subject, { userId, returnTo: opts.returnTo ?? '/home' }, authStart.output);
      const q = await authorize(start.authUrl, creator, opts.consent ?? 'allow');
      const { redirectTo } = await callRpc(nats.bus, authCallback.subject, q, authCallback.output);
      return { redirectTo, state: start.state, query: q };
    },
    authorize,
    async cleanup() {
      for (const s of extra) await s.stop();
      await service.stop();
      await nats.cleanup();
      await t.cleanup();
      await emulator.close();
    },
  };
}

/** Follows the authorize URL with the emulator's automation parameters; returns the callback query. */
export async function authorize(authUrl: string, creator: string, consent: 'allow' | 'deny'): Promise<Record<string, string>> {
  const url = new URL(authUrl);
  url.searchParams.set('creator', creator);
  url.searchParams.set('consent', consent);
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (!location) throw new Error(`authorize answered ${res.status} without a redirect`);
  const back = new URL(location);
  const q: Record<string, string> = {};
  for (const [k, v] of back.searchParams) q[k === 'error_description' ? 'errorDescription' : k] = v;
  return q;
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;

/** The accountId of a callback's redirect (`/?tiktok=connected&accountId=…`). */
export const accountIdOf = (redirectTo: string) => new URL(redirectTo, 'http://x').searchParams.get('accountId') ?? '';
