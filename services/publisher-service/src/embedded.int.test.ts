/**
 * The embedded default (`npm start` without DATABASE_URL / NATS_URL): publisher, the real
 * auth-service and the real quota-service on ONE in-memory PGlite (a single connection handed out
 * in turn) and the in-process bus. A transaction held open across an RPC to a peer on the same
 * PGlite deadlocks here, so a share reaching `published` proves no use case does that.
 */
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createInProcessBus } from '@tiktok-share/messaging';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import { publisherSharesCreate, publisherSharesGet, quotaStatus } from '@tiktok-share/contracts/rpc.ts';
import type { ShareView } from '@tiktok-share/contracts/rest.ts';
import { ensureSchema, openDatabase, type Database } from '@tiktok-share/platform/db.ts';
import { startEmulator, type RunningEmulator } from '@tiktok-share/tiktok-emulator';
import { makeVideo } from '../../../test/fixtures/make-video.ts';
import { createPublisherService } from './app.ts';
import { DEFAULT_PUBLISHER_CONFIG } from './application/context.ts';
import { startRealPeers, type RealPeers } from './testing/real-peers.int.ts';

let database: Database;
let emu: RunningEmulator;
let peers: RealPeers;
let publisher: ReturnType<typeof createPublisherService>;
let mediaRoot: string;
const bus = createInProcessBus();
const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' });

beforeAll(async () => {
  emu = await startEmulator({ processingDelayMs: 0 });
  database = await openDatabase({});
  for (const s of ['auth', 'quota', 'publisher']) await ensureSchema(database.db, s);
  peers = await startRealPeers({ db: database.db, authSchema: 'auth', quotaSchema: 'quota', bus, emu, logger });
  mediaRoot = await mkdtemp(join(tmpdir(), 'pub-embedded-'));
  await makeVideo(join(mediaRoot, 'v.mp4'), { container: 'mp4', sizeBytes: 2_000_000, durationSec: 10, filled: true });
  const { clientKey, clientSecret } = emu.emulator.state.settings;
  publisher = createPublisherService({
    db: database.db, schema: 'publisher', bus, logger, relayPollMs: 50,
    config: {
      ...DEFAULT_PUBLISHER_CONFIG, clientKey, clientSecret, apiBaseUrl: emu.url, authUrl: `${emu.url}/v2/auth/authorize/`,
      mediaRoot, workerId: 'embedded', appAudited: true, workPollMs: 100, retryBaseMs: 20, statusPollMs: 50, statusPollMaxMs: 200,
    },
  });
  await publisher.start();
}, 60_000);

afterAll(async () => {
  await publisher?.stop();
  await peers?.stop();
  await bus.close();
  await database?.close();
  await emu?.close();
  if (mediaRoot) await rm(mediaRoot, { recursive: true, force: true });
});

async function waitFinal(userId: string, shareId: string): Promise<ShareView> {
  const until = Date.now() + 30_000;
  for (;;) {
    const v = await callRpc(bus, publisherSharesGet.subject, { userId, shareId }, publisherSharesGet.output);
    if (['published', 'in_inbox', 'failed'].includes(v.status) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('PGlite + in-process bus + real auth and quota: a share is accepted and published', async () => {
  const accountId = await peers.connect('emb-user', 'embedded1');
  const request = { accountId, mode: 'direct', video: { path: 'v.mp4' }, title: 'embedded', privacyLevel: 'PUBLIC_TO_EVERYONE' };
  // The RPC timeout is the deadlock detector: a transaction held across an RPC never answers.
  const accepted = await callRpc(bus, publisherSharesCreate.subject, { userId: 'emb-user', idempotencyKey: 'emb-1', request }, publisherSharesCreate.output, { timeoutMs: 10_000 });
  expect(accepted.status).toBe('requested');
  const again = await callRpc(bus, publisherSharesCreate.subject, { userId: 'emb-user', idempotencyKey: 'emb-1', request }, publisherSharesCreate.output, { timeoutMs: 10_000 });
  expect(again.shareId).toBe(accepted.shareId);
  const done = await waitFinal('emb-user', accepted.shareId);
  expect(done).toMatchObject({ status: 'published', uploadedBytes: 2_000_000 });
  expect(emu.emulator.state.publishes.get(done.publishId ?? '')?.status).toBe('PUBLISH_COMPLETE');
  const quota = await callRpc(bus, quotaStatus.subject, { openId: 'embedded1' }, quotaStatus.output);
  expect(quota.daily.used).toBe(1);
}, 60_000);
