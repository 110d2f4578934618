/**
 * The REAL auth-service and quota-service for publisher tests, on the database and bus the test
 * gives (PostgreSQL + NATS, or PGlite + the in-process bus of the embedded default), each in its
 * own schema. Accounts are connected through auth's real OAuth flow against the emulator.
 *
 * Tests may import other services' composition roots (as the root main.ts does); product code
 * never does.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import type { Bus } from '@tiktok-share/messaging/port.ts';
import { authCallback, authStart } from '@tiktok-share/contracts/rpc.ts';
import type { RunningEmulator } from '@tiktok-share/tiktok-emulator';
import { createAuthService } from '../../../auth-service/src/app.ts';
import { createQuotaService, type QuotaService } from '../../../quota-service/src/app.ts';
import { DEFAULT_POLICY, type QuotaPolicy } from '../../../quota-service/src/domain/creator-quota.ts';

export interface RealPeers {
  quota: QuotaService;
  /** OAuth through auth-service (start → emulator authorize with consent → callback); returns the accountId. */
  connect(userId: string, creator: string): Promise<string>;
  stop(): Promise<void>;
}

export interface RealPeersOptions {
  db: Kysely<any>;
  authSchema: string;
  quotaSchema: string;
  bus: Bus;
  emu: RunningEmulator;
  logger: Logger;
  policy?: Partial<QuotaPolicy>;
}

export async function startRealPeers(o: RealPeersOptions): Promise<RealPeers> {
  const { clientKey, clientSecret } = o.emu.emulator.state.settings;
  const auth = createAuthService({
    db: o.db, schema: o.authSchema, bus: o.bus, logger: o.logger, relayPollMs: 50,
    config: {
      clientKey, clientSecret, redirectUri: 'http://127.0.0.1:9/api/v1/tiktok/auth/callback',
      authUrl: `${o.emu.url}/v2/auth/authorize/`, apiBaseUrl: o.emu.url,
      scopes: ['user.info.basic', 'video.publish', 'video.upload'], encryptionKeys: randomBytes(32).toString('base64url'),
    },
  });
  const quota = createQuotaService({ db: o.db, schema: o.quotaSchema, bus: o.bus, logger: o.logger, config: { policy: { ...DEFAULT_POLICY, ...o.policy } } });
  await auth.start();
  await quota.start();
  return {
    quota,
    async connect(userId, creator) {
      const start = await callRpc(o.bus, authStart.subject, { userId, returnTo: '/' }, authStart.output, { timeoutMs: 15_000 });
      const { redirectTo } = await callRpc(o.bus, authCallback.subject, await authorize(start.authUrl, creator), authCallback.output, { timeoutMs: 15_000 });
      const accountId = new URL(redirectTo, 'http://x').searchParams.get('accountId');
      if (!accountId) throw new Error(`connecting ${creator} failed: ${redirectTo}`);
      return accountId;
    },
    async stop() {
      await quota.stop();
      await auth.stop();
    },
  };
}

/** Follows the authorize URL with the emulator's automation parameters; returns the callback query. */
async function authorize(authUrl: string, creator: string): Promise<Record<string, string>> {
  const url = new URL(authUrl);
  url.searchParams.set('creator', creator);
  url.searchParams.set('consent', 'allow');
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (!location) throw new Error(`authorize answered ${res.status} without a redirect`);
  const q: Record<string, string> = {};
  for (const [k, v] of new URL(location).searchParams) q[k === 'error_description' ? 'errorDescription' : k] = v;
  return q;
}
