/**
 * Drives ONLY the share-view route (no hello-world phase) so a CPU profile shows where that request
 * spends its time. `http` goes through @hono/node-server and undici like the bench; `inproc` calls
 * `app.request` directly (the gateway's own cost, no sockets).
 *
 *   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof services/gateway/bench/share-view.profile.ts [http|inproc] [ms] [path]
 */
import { serve } from '@hono/node-server';
import { startHarness } from '../src/testing/harness.ts';
import { stubAccount, stubShare } from '../src/testing/stub-services.ts';
import { loadLoop } from './gateway.bench.ts';

const mode = process.argv[2] ?? 'http';
const ms = Number(process.argv[3] ?? 4000);
/** Another gateway path to compare with (e.g. /healthz); default the share view. */
const path = process.argv[4] ?? '/api/v1/tiktok/shares/s1';
const h = await startHarness();
h.state.accounts.set('a1', stubAccount('bench-user', 'a1'));
h.state.shares.set('s1', stubShare('bench-user', 's1', 'a1'));
const headers = { authorization: `Bearer ${await h.token('bench-user')}` };
if (mode === 'inproc') {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await Promise.all(Array.from({ length: 32 }, async () => {
      const r = await h.app.request(path, { headers });
      await r.text();
      n++;
    }));
  }
  process.stdout.write(`inproc ${(n / ((performance.now() - t0) / 1000)).toFixed(0)} req/s\n`);
} else {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  await loadLoop(origin, path, headers, 500, 32);
  const r = await loadLoop(origin, path, headers, ms, 32);
  process.stdout.write(`http ${r.rps.toFixed(0)} req/s p99 ${r.p99Ms.toFixed(1)} ms errors ${r.errors} requests ${r.requests}\n`);
  server.close();
}
await h.close();
process.exit(0);
