/**
 * DESIGN §9: GET share view requests/s through the real gateway (JWT check, validation, RPC over
 * the in-process bus to a stub publisher, zod-validated reply) beside a hello-world Hono route,
 * same machine, same run, both served by @hono/node-server and driven by the same bounded undici
 * load loop on 127.0.0.1. Target: gateway ≥ 30 % of hello-world.
 *
 * The measured time is cut into `rounds` slices that alternate between the two targets (A B B A
 * A B ...), so a burst of load from other processes on this shared machine hits both alike
 * instead of whichever target happened to run at that moment; each target keeps its own
 * connection pool across its slices. Both are warmed up first.
 *
 * Run directly: `npx tsx services/gateway/bench/gateway.bench.ts`
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { Pool } from 'undici';
import { startHarness } from '../src/testing/harness.ts';
import { stubAccount, stubShare } from '../src/testing/stub-services.ts';

export interface BenchOptions {
  /** Measured time per target, ms. Default 3000. */
  durationMs?: number;
  /** Requests in flight. Default 32. */
  concurrency?: number;
  /** Unmeasured warm-up per target, ms. Default 500. */
  warmupMs?: number;
  /** Alternating slices the measured time is split into (per target). Default 6. */
  rounds?: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p99Ms: number;
}

export interface GatewayBenchResult {
  hello: LoadResult;
  shareView: LoadResult;
  /** shareView.rps / hello.rps. */
  ratio: number;
  target: number;
  pass: boolean;
}

function listen(fetch: (req: Request) => Response | Promise<Response>): Promise<{ server: ServerType; origin: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve({ server, origin: `http://127.0.0.1:${info.port}` }));
  });
}

interface Slice {
  latencies: number[];
  errors: number;
  elapsedMs: number;
}

/** Closed-loop load: `concurrency` workers each send the next request when the previous answered. */
async function loadSlice(pool: Pool, path: string, headers: Record<string, string>, durationMs: number, concurrency: number): Promise<Slice> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const res = await pool.request({ method: 'GET', path, headers });
        await res.body.dump();
        if (res.statusCode !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, errors, elapsedMs: performance.now() - start };
}

function summarise(slices: readonly Slice[]): LoadResult {
  const latencies = slices.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const errors = slices.reduce((n, s) => n + s.errors, 0);
  const elapsed = slices.reduce((ms, s) => ms + s.elapsedMs, 0);
  return {
    requests: latencies.length, errors, rps: elapsed > 0 ? (latencies.length - errors) / (elapsed / 1000) : 0,
    p99Ms: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0,
  };
}

/** One closed-loop run against `origin` with its own connection pool. */
export async function loadLoop(origin: string, path: string, headers: Record<string, string>, durationMs: number, concurrency: number): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  try {
    return summarise([await loadSlice(pool, path, headers, durationMs, concurrency)]);
  } finally {
    await pool.close();
  }
}

interface Target {
  pool: Pool;
  path: string;
  headers: Record<string, string>;
  slices: Slice[];
}

/** Runs both targets in alternating slices and reports the ratio. */
export async function runGatewayBench(opts: BenchOptions = {}): Promise<GatewayBenchResult> {
  const durationMs = opts.durationMs ?? 3000;
  const concurrency = opts.concurrency ?? 32;
  const warmupMs = opts.warmupMs ?? 500;
  const rounds = Math.max(1, opts.rounds ?? 6);
  const hello = new Hono().get('/hello', (c) => c.json({ hello: 'world' }));
  const h = await startHarness();
  h.state.accounts.set('a1', stubAccount('bench-user', 'a1'));
  h.state.shares.set('s1', stubShare('bench-user', 's1', 'a1'));
  const a = await listen(hello.fetch);
  const b = await listen(h.app.fetch);
  const pool = (origin: string) => new Pool(origin, { connections: concurrency, pipelining: 1 });
  const base: Target = { pool: pool(a.origin), path: '/hello', headers: {}, slices: [] };
  const gateway: Target = { pool: pool(b.origin), path: '/api/v1/tiktok/shares/s1', headers: { authorization: `Bearer ${await h.token('bench-user')}` }, slices: [] };
  const run = async (t: Target, ms: number) => loadSlice(t.pool, t.path, t.headers, ms, concurrency);
  try {
    await run(base, warmupMs);
    await run(gateway, warmupMs);
    const sliceMs = durationMs / rounds;
    for (let r = 0; r < rounds; r++) {
      // A B, B A, A B, ...: neither target always runs first in a round.
      const order = r % 2 === 0 ? [base, gateway] : [gateway, base];
      for (const t of order) t.slices.push(await run(t, sliceMs));
    }
    const helloResult = summarise(base.slices);
    const shareView = summarise(gateway.slices);
    const ratio = helloResult.rps > 0 ? shareView.rps / helloResult.rps : 0;
    return { hello: helloResult, shareView, ratio, target: 0.3, pass: ratio >= 0.3 && shareView.errors === 0 };
  } finally {
    await base.pool.close();
    await gateway.pool.close();
    await new Promise((r) => a.server.close(r));
    await new Promise((r) => b.server.close(r));
    await h.close();
  }
}

/** A printable table. */
export function formatGatewayBench(r: GatewayBenchResult): string {
  const row = (name: string, l: LoadResult) => `${name.padEnd(28)} ${l.rps.toFixed(0).padStart(8)} req/s  p99 ${l.p99Ms.toFixed(1).padStart(6)} ms  errors ${l.errors}`;
  return [
    row('hello-world Hono (baseline)', r.hello),
    row('GET share view (gateway)', r.shareView),
    `ratio ${(r.ratio * 100).toFixed(1)} % (target ≥ ${(r.target * 100).toFixed(0)} %) → ${r.pass ? 'PASS' : 'FAIL'}`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runGatewayBench().then((r) => {
    process.stdout.write(`${formatGatewayBench(r)}\n`);
    process.exit(r.pass ? 0 : 1);
  }, (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}
