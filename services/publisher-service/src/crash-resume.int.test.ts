/**
 * The publisher process is SIGKILLed mid-upload and started again: the share is published exactly
 * once, the upload resumed after the last recorded chunk (no second init), and the emulator got
 * every byte in order. The publisher runs as real child processes (`node --import tsx main.ts`) on the test's
 * database schema and NATS prefix; auth/quota stand-ins answer from this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import { publisherSharesCreate, publisherSharesGet } from '@tiktok-share/contracts/rpc.ts';
import { TEST_DATABASE_URL, TEST_NATS_URL } from '@tiktok-share/platform/testing.ts';
import { makeVideo } from '../../../test/fixtures/make-video.ts';
import { createHarness, USER, type Harness } from './testing/harness.int.ts';

let h: Harness;
const children: ChildProcess[] = [];
const MAIN = resolve(import.meta.dirname, 'main.ts');

/**
 * `node --import tsx main.ts`: ONE process. The `tsx` CLI would be a wrapper that runs the script in
 * a second node process, and a SIGKILL of the wrapper leaves that one running — the "crashed"
 * publisher kept uploading, and the orphan held the test's stderr pipe open so vitest never exited.
 */
function spawnPublisher(workerId: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env, DATABASE_URL: TEST_DATABASE_URL, NATS_URL: TEST_NATS_URL, NATS_PREFIX: h.nats.prefix, PUBLISHER_SCHEMA: h.schema,
      TIKTOK_CLIENT_KEY: h.config.clientKey, TIKTOK_CLIENT_SECRET: h.config.clientSecret, TIKTOK_API_BASE_URL: h.emu.url,
      MEDIA_ROOT: h.mediaRoot, TIKTOK_APP_AUDITED: 'true', PUBLISHER_LEASE_MS: '1500', PUBLISHER_WORKER_ID: workerId,
      PUBLISHER_STATUS_POLL_MS: '100', LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  h = await createHarness([{ accountId: 'acc', creator: 'crash1', status: 'connected' }]);
  await makeVideo(join(h.mediaRoot, 'v.mp4'), { container: 'mp4', sizeBytes: 120_000_000, durationSec: 30, filled: true });
});
afterAll(async () => {
  await Promise.all(children.filter((c) => c.exitCode === null && c.signalCode === null).map(async (c) => {
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    // A graceful shutdown that hangs must not keep the run (and the stderr pipe) alive.
    const force = setTimeout(() => c.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(force);
  }));
  await h?.close();
});

describe('crash mid-upload', () => {
  it('SIGKILL then restart: published exactly once, resumed, same bytes', async () => {
    // Slow every chunk so the kill lands mid-upload (12 chunks × 400 ms).
    await h.control('faults', { endpoint: 'upload', delayMs: 400, times: 1000 });
    const first = spawnPublisher('w-first');
    const accepted = await until('the first publisher to accept', () =>
      callRpc(h.nats.bus, publisherSharesCreate.subject,
        { userId: USER, idempotencyKey: 'crash', request: { accountId: 'acc', mode: 'direct', privacyLevel: 'SELF_ONLY', video: { path: 'v.mp4' } } },
        publisherSharesCreate.output, { timeoutMs: 3_000 }));
    await until('some chunks', async () => ((await h.state()).publishes[0]?.chunksReceived ?? 0) >= 3);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = (await h.state()).publishes[0]!;
    expect(atKill.chunksReceived).toBeLessThan(atKill.totalChunks);
    // Dead for real: nothing moves while no publisher runs (an orphan would keep uploading).
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await h.state()).publishes[0]!.chunksReceived).toBe(atKill.chunksReceived);

    await fetch(`${h.emu.url}/__control/faults`, { method: 'DELETE' });
    spawnPublisher('w-second');
    const view = await until('the share to finish', async () => {
      const v = await callRpc(h.nats.bus, publisherSharesGet.subject, { userId: USER, shareId: accepted.shareId }, publisherSharesGet.output, { timeoutMs: 2_000 });
      return ['published', 'failed'].includes(v.status) ? v : null;
    }, 90_000);
    expect(view.status).toBe('published');
    const state = await h.state();
    expect(state.publishes).toHaveLength(1); // one init, one post
    expect(state.publishes[0]).toMatchObject({ publishId: view.publishId, chunksReceived: 12, totalChunks: 12 });
    expect(state.publishes[0]!.sha256).toBe(createHash('sha256').update(await readFile(join(h.mediaRoot, 'v.mp4'))).digest('hex'));
  }, 150_000);
});
