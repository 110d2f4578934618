/**
 * `tiktok.rpc.<svc>.metrics`: a service's Prometheus text over the bus. Services have no HTTP port;
 * the gateway (the only public HTTP surface) fetches this from each service and merges it into its
 * own `GET /metrics`. Lives here rather than in platform because platform must not depend on
 * messaging; the registry is taken structurally so this lib needs no prom-client.
 */
import { adminRpc, rpcQueue } from '@tiktok-share/contracts/rpc.ts';
import type { ServiceName } from '@tiktok-share/contracts/common.ts';
import type { Bus, Subscription } from '@tiktok-share/messaging/port.ts';
import { serveRpc } from '@tiktok-share/messaging/rpc.ts';
import type { BusLogger } from '@tiktok-share/messaging/logger.ts';

export interface ServeMetricsRpcOptions {
  bus: Bus;
  service: ServiceName;
  /** A prom-client Registry (its own per service: no process metrics, those are the gateway's). */
  registry: { metrics(): Promise<string> };
  logger?: BusLogger;
}

/**
 * Answers `adminRpc(service).metrics` with `{ text }` (queue group `<service>-service`: with several
 * instances, one of them answers each scrape).
 * @example subs.push(await serveMetricsRpc({ bus, service: 'auth', registry: metrics.registry, logger }));
 */
export function serveMetricsRpc(opts: ServeMetricsRpcOptions): Promise<Subscription> {
  const op = adminRpc(opts.service).metrics;
  return serveRpc(opts.bus, op.subject, op.input, async () => ({ text: await opts.registry.metrics() }), {
    queue: rpcQueue(opts.service),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
}
