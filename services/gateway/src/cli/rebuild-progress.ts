/**
 * The replay CLI's pieces, kept pure/injectable for tests: polling the optional
 * `tiktok.rpc.<svc>.admin.rebuild-status` op (schema in libs/contracts rpc.ts) and the progress bar.
 */
import { z } from 'zod';
import type { ServiceName } from '@tiktok-share/contracts/common.ts';
import * as rpc from '@tiktok-share/contracts/rpc.ts';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import type { Bus } from '@tiktok-share/messaging/port.ts';
import { serviceSubject } from '../routes/subjects.ts';

// The status schema lives with the other RPC contracts; re-exported for existing importers.
export { rebuildStatusSchema, type RebuildStatus } from '@tiktok-share/contracts/rpc.ts';

/** `[#########...........]  45% 4500/10000 events`. */
export function renderBar(processed: number, total: number | null, width = 30): string {
  if (total === null || total === 0) return `[${'?'.repeat(width)}] ${processed} events`;
  const ratio = Math.min(1, processed / total);
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${processed}/${total} events`;
}

export interface ReplayDeps {
  bus: Bus;
  write: (line: string) => void;
  sleep: (ms: number) => Promise<void>;
  pollMs?: number;
  timeoutMs?: number;
}

/**
 * Ask `service` to rebuild its read models, then poll its status until done.
 * Returns the exit code: 0 done (or started when the service reports no status), 1 failed.
 */
export async function replay(service: ServiceName, deps: ReplayDeps): Promise<number> {
  await callRpc(deps.bus, rpc.adminRpc(service).rebuild.subject, {}, z.object({ started: z.literal(true) }), { timeoutMs: deps.timeoutMs ?? 5000 });
  deps.write(`rebuild of ${service} started\n`);
  for (;;) {
    let status: rpc.RebuildStatus;
    try {
      status = await callRpc(deps.bus, serviceSubject(service, 'admin.rebuild-status'), {}, rpc.rebuildStatusSchema, { timeoutMs: deps.timeoutMs ?? 5000 });
    } catch {
      // The status op is optional: without it the rebuild still runs; its progress is in the service's logs and metrics.
      deps.write(`${service} reports no rebuild status; follow its logs/metrics for progress\n`);
      return 0;
    }
    deps.write(`\r${renderBar(status.processed, status.total)}`);
    if (status.error) { deps.write(`\nrebuild failed: ${status.error}\n`); return 1; }
    if (!status.running) { deps.write('\ndone\n'); return 0; }
    await deps.sleep(deps.pollMs ?? 500);
  }
}
