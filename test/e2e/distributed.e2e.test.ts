/**
 * The distributed topology: the four services as SEPARATE processes started the way
 * `npm run start:<service>` does (tsx services/<svc>/src/main.ts) plus the emulator process, on real
 * PostgreSQL (schemas named through AUTH_SCHEMA / QUOTA_SCHEMA / PUBLISHER_SCHEMA) and NATS.
 *
 * Isolation: only the publisher's main.ts reads NATS_PREFIX; the gateway, auth and quota mains
 * always use unprefixed subjects and stream names. So this suite runs its own nats-server (random
 * port, temporary store) instead of sharing the machine's one with a prefix.
 *
 * Then the publisher is SIGKILLed in the middle of a multi-chunk upload and started again: the
 * share is published exactly once (one publish at the emulator, every chunk once, same bytes).
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type TikTokShareClient } from '@tiktok-share/client';
import { TEST_DATABASE_URL, testDatabase } from '@tiktok-share/platform/testing.ts';
import { makeVideo } from '../fixtures/make-video.ts';
import { freePort, startNatsServer, startProcess, waitForHttp, type Started } from '../support/processes.ts';
import { connectThroughGateway, ROOT, SAMPLES, signToken, waitForShareStatus, type EmulatorSnapshot } from '../support/stack.ts';

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const BIG = 'big.mp4';
const BIG_SIZE = 23_000_000;

let tmp = '';
let nats: Started & { url: string };
let database: Awaited<ReturnType<typeof testDatabase>>;
let env: NodeJS.ProcessEnv = {};
const procs = new Map<string, Started>();
let gatewayUrl = '';
let emulatorUrl = '';
let alice: TikTokShareClient;
let accountId = '';

function start(name: string, script: string, extra: NodeJS.ProcessEnv = {}): Started {
  const p = startProcess(TSX, [script], { cwd: ROOT, env: { ...env, ...extra } });
  procs.set(name, p);
  return p;
}
const outputs = () => [...procs].map(([n, p]) => `--- ${n}\n${p.output().slice(-2000)}`).join('\n');
const emulatorState = async () => (await (await fetch(`${emulatorUrl}/__control/state`)).json()) as EmulatorSnapshot;
const control = (path: string, body: unknown, method = 'POST') =>
  fetch(`${emulatorUrl}/__control/${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${outputs()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tts-distributed-'));
  const media = join(tmp, 'media');
  await mkdir(media);
  await makeVideo(join(media, BIG), { container: 'mp4', sizeBytes: BIG_SIZE, durationSec: 20, filled: true });
  await copyFile(join(SAMPLES, 'sample-15s.mp4'), join(media, 'sample-15s.mp4'));
  [nats, database] = await Promise.all([startNatsServer(join(tmp, 'nats'), ROOT), testDatabase()]);
  const [port, emulatorPort] = [await freePort(), await freePort()];
  gatewayUrl = `http://127.0.0.1:${port}`;
  emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  const jwtSecret = randomBytes(32).toString('base64url');
  env = {
    ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: TEST_DATABASE_URL, NATS_URL: nats.url, PORT: String(port),
    GATEWAY_JWT_SECRET: jwtSecret, TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    TIKTOK_CLIENT_KEY: 'dist-client-key', TIKTOK_CLIENT_SECRET: 'dist-client-secret', TIKTOK_APP_AUDITED: 'true',
    TIKTOK_API_BASE_URL: emulatorUrl, TIKTOK_AUTH_URL: `${emulatorUrl}/v2/auth/authorize/`, TIKTOK_EMULATOR_PORT: String(emulatorPort),
    TIKTOK_REDIRECT_URI: `${gatewayUrl}/api/v1/tiktok/auth/callback`, TIKTOK_WEBHOOK_URL: `${gatewayUrl}/api/v1/tiktok/webhooks`,
    MEDIA_ROOT: media, AUTH_SCHEMA: database.schema('auth'), QUOTA_SCHEMA: database.schema('quota'), PUBLISHER_SCHEMA: database.schema('publisher'),
    // 5 MB chunks: the 23 MB video goes in 4 chunks. Short lease so the restarted worker takes over fast.
    PUBLISHER_CHUNK_SIZE: '5000000', PUBLISHER_LEASE_MS: '1500', PUBLISHER_STATUS_POLL_MS: '100', PUBLISHER_WORKER_ID: 'first',
  };
  start('emulator', 'libs/tiktok-emulator/src/main.ts');
  start('auth', 'services/auth-service/src/main.ts');
  start('quota', 'services/quota-service/src/main.ts');
  start('publisher', 'services/publisher-service/src/main.ts');
  start('gateway', 'services/gateway/src/main.ts');
  await waitForHttp(`${gatewayUrl}/readyz`, { timeoutMs: 90_000, describe: outputs });
  alice = createClient({ baseUrl: gatewayUrl, token: await signToken(jwtSecret, 'alice') });
}, 120_000);

afterAll(async () => {
  await Promise.all([...procs.values()].map((p) => p.stop()));
  await nats?.stop();
  await database?.cleanup();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('distributed topology (one process per service)', () => {
  it('connects an account and publishes a share through separate processes', async () => {
    accountId = await connectThroughGateway(alice, 'dist1');
    const share = await alice.createShare({ accountId, mode: 'direct', video: { path: 'sample-15s.mp4' }, privacyLevel: 'SELF_ONLY' }, { idempotencyKey: 'dist-small' });
    const final = await waitForShareStatus(alice, share.shareId, ['published'], 30_000);
    const publish = (await emulatorState()).publishes.find((p) => p.publishId === final.publishId);
    expect(publish?.sha256).toBe(await sha256(join(SAMPLES, 'sample-15s.mp4')));
    expect((await alice.quota(accountId)).daily.used).toBe(1);
  });

  it('SIGKILL of the publisher mid-upload, then a restart: published exactly once, every byte once', async () => {
    // Slow every chunk PUT so the kill lands between chunks 1 and 4.
    await control('faults', { endpoint: 'upload', delayMs: 700, times: 100 });
    const share = await alice.createShare({ accountId, mode: 'direct', video: { path: BIG }, privacyLevel: 'SELF_ONLY' }, { idempotencyKey: 'dist-big' });
    await until('a first chunk', async () => {
      const p = (await emulatorState()).publishes.find((x) => x.videoSize === BIG_SIZE);
      return p && p.chunksReceived >= 1 ? p : undefined;
    }, 60_000);
    await procs.get('publisher')!.stop('SIGKILL');
    const atKill = (await emulatorState()).publishes.find((x) => x.videoSize === BIG_SIZE)!;
    expect(atKill.totalChunks).toBe(4);
    expect(atKill.chunksReceived).toBeLessThan(4);
    // The publisher answers share reads itself: with it gone, the gateway says so (no stale data).
    expect([503, 504]).toContain(await alice.getShare(share.shareId).then(() => 'answered', (e: unknown) => (e as { status?: number }).status));

    await control('faults', {}, 'DELETE');
    start('publisher', 'services/publisher-service/src/main.ts', { PUBLISHER_WORKER_ID: 'second' });
    const final = await waitForShareStatus(alice, share.shareId, ['published'], 90_000);
    const state = await emulatorState();
    const mine = state.publishes.filter((p) => p.videoSize === BIG_SIZE);
    expect(mine).toHaveLength(1); // one init, one post: never twice
    expect(mine[0]).toMatchObject({ publishId: final.publishId, status: 'PUBLISH_COMPLETE', chunksReceived: 4, totalChunks: 4, bytesReceived: BIG_SIZE });
    expect(mine[0]!.sha256).toBe(await sha256(join(env['MEDIA_ROOT']!, BIG)));
    expect(final).toMatchObject({ chunksUploaded: 4, totalChunks: 4, uploadedBytes: BIG_SIZE });
    expect(state.publishes).toHaveLength(2);
    expect(state.violations).toEqual([]);
    expect((await alice.quota(accountId)).daily.used).toBe(2);
  }, 150_000);
});
