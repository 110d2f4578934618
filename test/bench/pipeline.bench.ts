/**
 * Pipeline benchmark (DESIGN §9): shares/s accepted by the gateway (POST /tiktok/shares, p50/p99)
 * while the publisher drains them against a zero-latency emulator, with `creators` distinct
 * creators, beside a baseline measured in the same run on the same gateway: the same load loop
 * against GET /healthz (its cheapest route). Target: ≥ 100 shares/s, p99 < 50 ms.
 *
 * The whole product runs in this process (test/support/stack.ts: real PostgreSQL and NATS).
 * TikTok's limits shape the load: each creator may Direct Post 15 times a day and init 6 times a
 * minute, so shares go round robin over the creators, with the small bundled sample videos.
 *
 *   npx tsx test/bench/pipeline.bench.ts [creators] [durationMs] [--publisher-process]
 */
import { pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import type { TikTokShareClient } from '@tiktok-share/client';
import type { Subscription } from '@tiktok-share/messaging/port.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET } from '@tiktok-share/tiktok-emulator';
import { TEST_DATABASE_URL, TEST_NATS_URL } from '@tiktok-share/platform/testing.ts';
import { SAMPLES as SAMPLE_ROOT, startStack, type Stack } from '../support/stack.ts';

export interface PipelineBenchOptions {
  /** Distinct creators (one platform user each). Default 1000. */
  creators?: number;
  /** Measured time of each load loop, ms. */
  durationMs: number;
  /** Open-loop pacing, requests/s over all workers; absent = as fast as the concurrency allows. */
  rate?: number;
  /** Requests in flight. Default 32. */
  concurrency?: number;
  /**
   * After the closed loop, a second paced loop at this rate (shares/s, and the same rate on
   * /healthz): latency at the target load rather than at saturation. Absent = skipped.
   */
  latencyAtRate?: number;
  /** After the POST loop, how long the publisher may keep draining before counting. Default 10 s. */
  drainMs?: number;
  /** Parallel account connections while setting up. Default 16. */
  connectConcurrency?: number;
  log?: (line: string) => void;
  /**
   * The production shape for the publisher: a second publisher runs as its own process
   * (`node --import tsx services/publisher-service/src/main.ts`, same schema and NATS prefix) and
   * is the only saga worker; the in-process publisher keeps answering its RPCs with its worker off.
   * Accepts are then shared by both instances (one queue group), the drain runs in the child only.
   * Default false: everything in this process.
   */
  publisherProcess?: boolean;
}

export interface LoopResult {
  requests: number;
  ok: number;
  errors: number;
  /** Non-2xx answers by status (e.g. 429 when a cap was hit). */
  statuses: Record<string, number>;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  elapsedMs: number;
}

export interface PipelineBenchResult {
  creators: number;
  connectMs: number;
  shares: LoopResult;
  healthz: LoopResult;
  /** The paced loops (`latencyAtRate`), when asked for. */
  paced?: { rate: number; shares: LoopResult; healthz: LoopResult };
  /** Accepted shares that reached published / in_inbox / failed by the end of the drain. */
  finished: number;
  published: number;
  failed: number;
  /** Emulator-recorded violations of TikTok's limits (must be 0). */
  violations: number;
  /** shares.perSec / healthz.perSec. */
  ratio: number;
}

interface Creator { token: string; accountId: string }

const SAMPLES = ['sample-15s.mp4', 'sample-8s.mov', 'sample-10s.webm'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

/** Runs `task` for 0..n-1 with `concurrency` in flight. */
async function pooled(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, async () => {
    while (next < n) await task(next++);
  }));
}

async function connectCreators(stack: Stack, n: number, concurrency: number, log: (l: string) => void): Promise<Creator[]> {
  const creators: Creator[] = new Array<Creator>(n);
  let done = 0;
  await pooled(n, concurrency, async (i) => {
    const userId = `bench-user-${i}`;
    const client: TikTokShareClient = await stack.client(userId);
    const accountId = await stack.connectAccount(client, `bench-creator-${i}`);
    creators[i] = { token: await stack.tokenFor(userId), accountId };
    if (++done % 250 === 0) log(`  connected ${done}/${n} creators`);
  });
  return creators;
}

type Request = { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string };

/**
 * Closed loop (or paced when `rate` is set): `concurrency` workers send the next request when the
 * previous one answered, until `durationMs` elapsed. `onOk` sees each 2xx body.
 */
async function loadLoop(origin: string, next: (i: number) => Request, opts: { durationMs: number; concurrency: number; rate?: number | undefined; onOk?: (body: string) => void }): Promise<LoopResult> {
  const pool = new Pool(origin, { connections: opts.concurrency, pipelining: 1 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let issued = 0;
  const start = performance.now();
  const deadline = start + opts.durationMs;
  const interval = opts.rate ? 1000 / opts.rate : 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = issued++;
      if (interval > 0) {
        const wait = start + i * interval - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (performance.now() >= deadline) break;
      }
      const req = next(i);
      const t0 = performance.now();
      try {
        const res = await pool.request(req);
        const text = await res.body.text();
        if (res.statusCode >= 200 && res.statusCode < 300) {
          ok++;
          opts.onOk?.(text);
        } else {
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        }
      } catch (err) {
        const name = err instanceof Error ? err.name : 'error';
        statuses[name] = (statuses[name] ?? 0) + 1;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const elapsedMs = performance.now() - start;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length, ok, errors: latencies.length - ok, statuses, perSec: ok / (elapsedMs / 1000),
    p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), elapsedMs,
  };
}

/** Counts final statuses of accepted shares from the publisher's public events (core NATS). */
async function watchOutcomes(stack: Stack) {
  const outcomes = new Map<string, 'published' | 'failed'>();
  const decoder = new TextDecoder();
  const track = (status: 'published' | 'failed') => (_s: string, data: Uint8Array) => {
    const shareId = (JSON.parse(decoder.decode(data)) as { data?: { shareId?: string } }).data?.shareId;
    if (shareId) outcomes.set(shareId, status);
  };
  const subs: Subscription[] = [
    await stack.bus.subscribe('tiktok.share.publish_completed.v1', track('published')),
    await stack.bus.subscribe('tiktok.share.publish_failed.v1', track('failed')),
  ];
  return { outcomes, stop: () => Promise.all(subs.map((s) => s.stop())) };
}

/**
 * @example
 * const r = await runPipelineBench({ creators: 1000, durationMs: 10_000 });
 * console.log(r.shares.perSec, r.healthz.perSec);
 */
export async function runPipelineBench(opts: PipelineBenchOptions): Promise<PipelineBenchResult> {
  const creatorsN = opts.creators ?? 1000;
  const concurrency = opts.concurrency ?? 32;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const stack = await startStack({ processingDelayMs: 0, logLevel: 'silent', publisherWorker: !opts.publisherProcess });
  let child: ChildProcess | undefined;
  try {
    if (opts.publisherProcess) {
      log('pipeline: starting the publisher as its own process…');
      child = await spawnPublisher(stack);
    }
    const t0 = performance.now();
    log(`pipeline: connecting ${creatorsN} creators…`);
    const creators = await connectCreators(stack, creatorsN, opts.connectConcurrency ?? 16, log);
    const connectMs = performance.now() - t0;
    const watch = await watchOutcomes(stack);
    const accepted = new Set<string>();
    const runId = Date.now().toString(36);

    log(`pipeline: POST /tiktok/shares for ${opts.durationMs} ms…`);
    let sent = 0; // round robin continues across loops, so no creator is asked twice in a row
    const shareRequest = (): Request => {
      const i = sent++;
      const c = creators[i % creators.length]!;
      const body = { accountId: c.accountId, mode: 'direct', video: { path: SAMPLES[i % SAMPLES.length] }, privacyLevel: 'SELF_ONLY', title: `bench ${i}` };
      return {
        method: 'POST', path: '/api/v1/tiktok/shares', body: JSON.stringify(body),
        headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json', 'idempotency-key': `${runId}-${i}` },
      };
    };
    const onOk = (text: string) => { accepted.add((JSON.parse(text) as { shareId: string }).shareId); };
    const healthzRequest = (): Request => ({ method: 'GET', path: '/healthz', headers: {} });
    const shares = await loadLoop(stack.url, shareRequest, { durationMs: opts.durationMs, concurrency, rate: opts.rate, onOk });

    log(`pipeline: GET /healthz baseline for ${opts.durationMs} ms (publisher still draining)…`);
    const healthz = await loadLoop(stack.url, healthzRequest, { durationMs: opts.durationMs, concurrency, rate: opts.rate });

    let paced: PipelineBenchResult['paced'];
    if (opts.latencyAtRate) {
      const rate = opts.latencyAtRate;
      log(`pipeline: paced ${rate}/s POST /tiktok/shares, then GET /healthz, ${opts.durationMs} ms each…`);
      const pacedShares = await loadLoop(stack.url, shareRequest, { durationMs: opts.durationMs, concurrency, rate, onOk });
      const pacedHealthz = await loadLoop(stack.url, healthzRequest, { durationMs: opts.durationMs, concurrency, rate });
      paced = { rate, shares: pacedShares, healthz: pacedHealthz };
    }

    const drainEnd = Date.now() + (opts.drainMs ?? 10_000);
    const countFinished = () => [...accepted].filter((id) => watch.outcomes.has(id)).length;
    while (Date.now() < drainEnd && countFinished() < accepted.size) await new Promise((r) => setTimeout(r, 200));
    await watch.stop();
    const finishedIds = [...accepted].filter((id) => watch.outcomes.has(id));
    const failed = finishedIds.filter((id) => watch.outcomes.get(id) === 'failed').length;
    const violations = (await stack.emulatorState()).violations.length;
    return {
      creators: creatorsN, connectMs, shares, healthz, ...(paced ? { paced } : {}), finished: finishedIds.length, published: finishedIds.length - failed, failed, violations,
      ratio: healthz.perSec > 0 ? shares.perSec / healthz.perSec : 0,
    };
  } finally {
    if (child) await stopChild(child);
    await stack.stop();
  }
}

const PUBLISHER_MAIN = join(import.meta.dirname, '..', '..', 'services', 'publisher-service', 'src', 'main.ts');

/**
 * `node --import tsx main.ts` (one process; the tsx CLI would add a wrapper process) on the stack's
 * schema, prefix and emulator. Resolves once it logged "publisher service started".
 */
async function spawnPublisher(stack: Stack): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', PUBLISHER_MAIN], {
    env: {
      ...process.env, LOG_LEVEL: 'info', DATABASE_URL: TEST_DATABASE_URL, NATS_URL: TEST_NATS_URL, NATS_PREFIX: stack.prefix,
      PUBLISHER_SCHEMA: stack.schemas.publisher, TIKTOK_CLIENT_KEY: DEFAULT_CLIENT_KEY, TIKTOK_CLIENT_SECRET: DEFAULT_CLIENT_SECRET,
      TIKTOK_API_BASE_URL: stack.emulator.url, TIKTOK_AUTH_URL: `${stack.emulator.url}/v2/auth/authorize/`, MEDIA_ROOT: SAMPLE_ROOT,
      TIKTOK_APP_AUDITED: String(stack.emulator.emulator.state.settings.appAudited), PUBLISHER_WORKER_ID: `bench-child-${process.pid}`,
      PUBLISHER_LEASE_MS: '5000', PUBLISHER_STATUS_POLL_MS: '30',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`publisher process not started in 60 s\n${out.slice(-2000)}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (!out.includes('publisher service started')) return;
      clearTimeout(timer);
      // From here on its (info) logs are read and dropped: a full pipe would block the child.
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      resolve();
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`publisher process exited with ${code}\n${out.slice(-2000)}`)); });
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(force);
}

/** Printable lines: the measured loop beside its baseline. */
export function formatPipelineBench(r: PipelineBenchResult): string {
  const row = (name: string, l: LoopResult) =>
    `${name.padEnd(30)} ${l.perSec.toFixed(1).padStart(8)} /s  p50 ${l.p50Ms.toFixed(1).padStart(6)} ms  p99 ${l.p99Ms.toFixed(1).padStart(6)} ms  ok ${l.ok}  non-2xx ${JSON.stringify(l.statuses)}`;
  return [
    `creators ${r.creators} (connected in ${(r.connectMs / 1000).toFixed(1)} s)`,
    row('GET /healthz (baseline)', r.healthz),
    row('POST /tiktok/shares', r.shares),
    ...(r.paced ? [row(`GET /healthz paced ${r.paced.rate}/s`, r.paced.healthz), row(`POST /tiktok/shares paced ${r.paced.rate}/s`, r.paced.shares)] : []),
    `ratio ${(r.ratio * 100).toFixed(1)} %; finished ${r.finished}/${r.shares.ok + (r.paced?.shares.ok ?? 0)} (published ${r.published}, failed ${r.failed}); violations ${r.violations}`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const creators = Number(process.argv[2] ?? 1000);
  const durationMs = Number(process.argv[3] ?? 10_000);
  const r = await runPipelineBench({ creators, durationMs, latencyAtRate: 100, publisherProcess: process.argv.includes('--publisher-process') });
  process.stdout.write(`${formatPipelineBench(r)}\n`);
  process.exit(0);
}
