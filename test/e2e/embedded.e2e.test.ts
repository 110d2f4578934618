/**
 * The embedded default, started as `npm start` is (tsx main.ts) with DATABASE_URL and NATS_URL
 * unset: PGlite under a temporary DATA_DIR, the in-process bus, the emulator. It must become ready,
 * connect a TikTok account through the emulator's consent shortcut and publish a share.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@tiktok-share/client';
import { freePort, startProcess, waitForHttp, type Started } from '../support/processes.ts';
import { connectThroughGateway, waitForShareStatus } from '../support/stack.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('npm start (embedded default)', () => {
  let app: Started;
  let base = '';
  let dataDir = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tts-embedded-'));
    const [port, emulatorPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), TIKTOK_EMULATOR_PORT: String(emulatorPort), DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    for (const name of ['DATABASE_URL', 'NATS_URL', 'TIKTOK_API_BASE_URL', 'TIKTOK_CLIENT_KEY', 'TIKTOK_CLIENT_SECRET', 'GATEWAY_JWT_SECRET', 'TOKEN_ENCRYPTION_KEY']) delete env[name];
    app = startProcess(join(ROOT, 'node_modules', '.bin', 'tsx'), ['main.ts'], { cwd: ROOT, env });
    base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/readyz`, { timeoutMs: 120_000, describe: () => app.output() });
  }, 150_000);

  afterAll(async () => {
    const code = await app?.stop();
    await rm(dataDir, { recursive: true, force: true });
    expect(code, app?.output()).toBe(0);
  });

  it('is ready with every service healthy and prints the UI URL with a demo token', async () => {
    const ready = await (await fetch(`${base}/readyz`)).json() as { ready: boolean; services: { service: string; healthy: boolean }[] };
    expect(ready.ready).toBe(true);
    expect(ready.services.map((s) => s.service).sort()).toEqual(['auth', 'publisher', 'quota']);
    expect(ready.services.every((s) => s.healthy)).toBe(true);
    expect(app.output()).toMatch(new RegExp(`Share UI: ${base}/\\?token=[\\w-]+\\.[\\w-]+\\.[\\w-]+`));
  });

  it('connects a TikTok account through the emulator and publishes a bundled sample (one PGlite connection shared by all services)', async () => {
    const token = /Share UI: \S+\?token=(\S+)/.exec(app.output())?.[1];
    expect(token).toBeDefined();
    const client = createClient({ baseUrl: base, token: token! });
    const accountId = await connectThroughGateway(client, 'public1');
    const share = await client.createShare({
      accountId, mode: 'direct', video: { path: 'sample-8s.mov' }, title: 'embedded #demo', privacyLevel: 'SELF_ONLY',
    }, { idempotencyKey: 'embedded-e2e-1' });
    expect(share.status).toBe('requested');
    const done = await waitForShareStatus(client, share.shareId, ['published', 'failed'], 60_000);
    expect(done.status, JSON.stringify(done.failure)).toBe('published');
    expect(done.uploadedBytes).toBe(done.videoSize);
  });

  it('keeps its data under DATA_DIR (PGlite) and its generated secrets there', async () => {
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(dataDir)).sort()).toEqual(expect.arrayContaining(['gateway-jwt-secret', 'pglite', 'token-encryption-key']));
  });
});
