/**
 * DESIGN §9: GET share view requests/s through the real gateway (JWT check, validation, RPC over
 * the in-process bus to a stub publisher, zod-validated reply) beside a hello-world Hono route,
 * same machine, same run, both served by @hono/node-server and driven by the same bounded undici
 * load loop on 127.0.0.1. Target: gateway ≥ 30 % of hello-world.
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

/** Closed-loop load: `concurrency` workers each send the next request when the previous answered. */
export async function loadLoop(origin: string, path: string, headers: Record<string, string>, durationMs: number, concurrency: number): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
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
  const elapsed = performance.now() - start;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length, errors, rps: (latencies.length - errors) / (elapsed / 1000),
    p99Ms: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0,
  };
}

/** Runs both targets one after the other and reports the ratio. */
export async function runGatewayBench(opts: BenchOptions = {}): Promise<GatewayBenchResult> {
  const durationMs = opts.durationMs ?? 3000;
  const concurrency = opts.concurrency ?? 32;
  const warmupMs = opts.warmupMs ?? 500;
  const hello = new Hono().get('/hello', (c) => c.json({ hello: 'world' }));
  const h = await startHarness();
  h.state.accounts.set('a1', stubAccount('bench-user', 'a1'));
  h.state.shares.set('s1', stubShare('bench-user', 's1', 'a1'));
  const headers = { authorization: `Bearer ${await h.token('bench-user')}` };
  const a = await listen(hello.fetch);
  const b = await listen(h.app.fetch);
  try {
    await loadLoop(a.origin, '/hello', {}, warmupMs, concurrency);
    const helloResult = await loadLoop(a.origin, '/hello', {}, durationMs, concurrency);
    await loadLoop(b.origin, '/api/v1/tiktok/shares/s1', headers, warmupMs, concurrency);
    const shareView = await loadLoop(b.origin, '/api/v1/tiktok/shares/s1', headers, durationMs, concurrency);
    const ratio = helloResult.rps > 0 ? shareView.rps / helloResult.rps : 0;
    return { hello: helloResult, shareView, ratio, target: 0.3, pass: ratio >= 0.3 && shareView.errors === 0 };
  } finally {
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
