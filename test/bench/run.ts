/**
 * `npm run bench` (DESIGN §3, §9): every benchmark in order, each beside a baseline measured in the
 * same run, then one table: measured value, baseline, ratio and the DESIGN §9 target per line.
 * It prints; no threshold fails the run (a crashed benchmark is shown as an error row and the exit
 * code is 1 only then).
 *
 *   npm run bench                 full sizes (1 GB upload, 10 s load loops)
 *   npm run bench -- --quick      100 MB upload, shorter loops (still 1 000 creators)
 */
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { runEventStoreBench } from '../../libs/eventstore/bench/eventstore.bench.ts';
import { runGatewayBench } from '../../services/gateway/bench/gateway.bench.ts';
import { runUploadBench } from '../../services/publisher-service/bench/upload.bench.ts';
import { runPipelineBench } from './pipeline.bench.ts';

interface Row { benchmark: string; measured: string; baseline: string; ratio: string; target: string; meets: string }

const quick = process.argv.includes('--quick');
const rows: Row[] = [];
let crashed = false;
const log = (line: string) => process.stderr.write(`${line}\n`);
const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
const MiB = 2 ** 20;

async function step(name: string, fn: () => Promise<void>): Promise<void> {
  log(`\n== ${name}`);
  const t0 = performance.now();
  try {
    await fn();
  } catch (err) {
    crashed = true;
    rows.push({ benchmark: name, measured: `error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 80), baseline: '', ratio: '', target: '', meets: 'NO' });
  }
  log(`   (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

async function eventStore(): Promise<void> {
  const database = await testDatabase();
  try {
    const r = await runEventStoreBench({ db: database.db, schema: database.schema('bench_es'), n: quick ? 2000 : 5000 });
    rows.push({
      benchmark: `event store appends/s (c=${r.concurrency})`, measured: n0(r.appendsPerSec), baseline: `${n0(r.rawInsertsPerSec)} raw INSERT tx/s`,
      ratio: pct(r.appendVsRaw), target: '≥ 70 %', meets: yes(r.appendVsRaw >= 0.7),
    });
    rows.push({
      benchmark: `projection rebuild events/s (${n0(r.rebuildEvents)})`, measured: n0(r.rebuildEventsPerSec), baseline: '—',
      ratio: '—', target: '≥ 50,000/s', meets: yes(r.rebuildEventsPerSec >= 50_000),
    });
  } finally {
    await database.cleanup(); // drops the scratch schema
  }
}

async function upload(): Promise<void> {
  const sizeBytes = quick ? 100_000_000 : 1_000_000_000;
  const r = await runUploadBench({ sizeBytes });
  rows.push({
    benchmark: `upload ${sizeBytes / 1e6} MB MB/s`, measured: r.publisherMBps.toFixed(1), baseline: `${r.baselineMBps.toFixed(1)} bare undici PUT`,
    ratio: pct(r.ratio), target: '≥ 90 %', meets: yes(r.ratio >= 0.9),
  });
  rows.push({
    benchmark: 'upload peak RSS growth MiB', measured: (r.peakRssGrowthBytes / MiB).toFixed(1), baseline: `${(r.rssLimitBytes / MiB).toFixed(1)} limit`,
    ratio: pct(r.peakRssGrowthBytes / r.rssLimitBytes), target: '≤ 2×chunk + 64 MB', meets: yes(r.peakRssGrowthBytes <= r.rssLimitBytes),
  });
}

async function gateway(): Promise<void> {
  const r = await runGatewayBench({ durationMs: quick ? 2000 : 3000 });
  rows.push({
    benchmark: 'gateway GET share view req/s', measured: `${n0(r.shareView.rps)} (p99 ${r.shareView.p99Ms.toFixed(1)} ms)`,
    baseline: `${n0(r.hello.rps)} hello-world Hono`, ratio: pct(r.ratio), target: '≥ 30 %', meets: yes(r.ratio >= 0.3 && r.shareView.errors === 0),
  });
}

/**
 * `publisherProcess`: the publisher's saga worker runs in its own process (the production shape,
 * docker-compose / k8s), instead of on the gateway's event loop. Rows are tagged with the shape.
 */
async function pipeline(publisherProcess: boolean): Promise<void> {
  const r = await runPipelineBench({ creators: 1000, durationMs: quick ? 5000 : 10_000, latencyAtRate: 100, log, publisherProcess });
  const shape = publisherProcess ? ' [publisher own process]' : ' [single process]';
  const at = rows.length;
  const acceptedTotal = r.shares.ok + (r.paced?.shares.ok ?? 0);
  rows.push({
    benchmark: `pipeline accepted shares/s (${r.creators} creators)`, measured: r.shares.perSec.toFixed(1),
    baseline: `${n0(r.healthz.perSec)} GET /healthz`, ratio: pct(r.ratio), target: '≥ 100/s', meets: yes(r.shares.perSec >= 100),
  });
  rows.push({
    benchmark: 'pipeline POST p50 / p99 ms (saturated)', measured: `${r.shares.p50Ms.toFixed(1)} / ${r.shares.p99Ms.toFixed(1)}`,
    baseline: `${r.healthz.p50Ms.toFixed(1)} / ${r.healthz.p99Ms.toFixed(1)} healthz`, ratio: '—', target: 'p99 < 50 ms', meets: yes(r.shares.p99Ms < 50),
  });
  if (r.paced) {
    const p = r.paced;
    rows.push({
      benchmark: `pipeline paced ${p.rate}/s: shares/s, p50 / p99 ms`, measured: `${p.shares.perSec.toFixed(1)}, ${p.shares.p50Ms.toFixed(1)} / ${p.shares.p99Ms.toFixed(1)}`,
      baseline: `${p.healthz.perSec.toFixed(1)}, ${p.healthz.p50Ms.toFixed(1)} / ${p.healthz.p99Ms.toFixed(1)} healthz`, ratio: pct(p.healthz.perSec > 0 ? p.shares.perSec / p.healthz.perSec : 0),
      target: '100/s, p99 < 50 ms', meets: yes(p.shares.perSec >= 0.98 * p.rate && p.shares.p99Ms < 50),
    });
  }
  rows.push({
    benchmark: 'pipeline shares final by the end', measured: `${r.finished} / ${acceptedTotal}`, baseline: `failed ${r.failed}, non-2xx ${JSON.stringify(r.shares.statuses)}`,
    ratio: acceptedTotal > 0 ? pct(r.finished / acceptedTotal) : '—', target: 'publisher drains', meets: yes(r.finished === acceptedTotal && r.failed === 0),
  });
  rows.push({ benchmark: 'pipeline TikTok limit violations', measured: String(r.violations), baseline: '—', ratio: '—', target: '0', meets: yes(r.violations === 0) });
  for (const row of rows.slice(at)) row.benchmark += shape;
}

function table(list: Row[]): string {
  const cols: (keyof Row)[] = ['benchmark', 'measured', 'baseline', 'ratio', 'target', 'meets'];
  const width = (c: keyof Row) => Math.max(c.length, ...list.map((r) => r[c].length));
  const line = (r: Row) => `| ${cols.map((c) => r[c].padEnd(width(c))).join(' | ')} |`;
  const header = Object.fromEntries(cols.map((c) => [c, c])) as unknown as Row;
  return [line(header), `|${cols.map((c) => '-'.repeat(width(c) + 2)).join('|')}|`, ...list.map(line)].join('\n');
}

await step('event store (libs/eventstore/bench)', eventStore);
await step(`upload ${quick ? '100 MB' : '1 GB'} (services/publisher-service/bench)`, upload);
await step('gateway (services/gateway/bench)', gateway);
await step('pipeline (test/bench/pipeline.bench.ts)', () => pipeline(false));
await step('pipeline, publisher in its own process (test/bench/pipeline.bench.ts)', () => pipeline(true));
process.stdout.write(`\nShare to TikTok benchmarks${quick ? ' (--quick)' : ''} — ${new Date().toISOString()}, node ${process.version}\n${table(rows)}\n`);
process.exit(crashed ? 1 : 0);
