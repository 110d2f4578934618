/**
 * `GET /metrics` of the whole product. Services have no HTTP port, so the gateway (the only public
 * HTTP surface) asks each one for its Prometheus text over the bus (`tiktok.rpc.<svc>.metrics`) and
 * merges it with its own registry: one family per metric name (mergeExpositions), series told apart
 * by their `service` label. A service that does not answer in time is reported as
 * `tiktok_share_metrics_scrape_up{service="…"} 0` — never a failed scrape, so the gateway's own
 * metrics and the other services' still reach Prometheus while one service is down.
 */
import type { Registry } from 'prom-client';
import { adminRpc } from '@tiktok-share/contracts/rpc.ts';
import type { ServiceName } from '@tiktok-share/contracts/common.ts';
import { mergeExpositions } from '@tiktok-share/platform/exposition.ts';
import type { RouteDeps } from '../routes/deps.ts';

const SCRAPE_UP = 'tiktok_share_metrics_scrape_up';

/** The text of one service, or null when it failed or did not answer within `timeoutMs`. */
async function scrape(deps: RouteDeps, service: ServiceName, timeoutMs: number): Promise<string | null> {
  const op = adminRpc(service).metrics;
  try {
    return (await deps.rpc(op.subject, {}, op.output, { timeoutMs })).text;
  } catch (err) {
    deps.logger.warn({ service, code: err instanceof Error && 'code' in err ? String(err.code) : 'unreachable' }, 'metrics scrape of a service failed');
    return null;
  }
}

function scrapeUpText(results: ReadonlyArray<readonly [ServiceName, string | null]>): string {
  return [
    `# HELP ${SCRAPE_UP} Whether the service answered the gateway's metrics request over the bus (1) or not (0)`,
    `# TYPE ${SCRAPE_UP} gauge`,
    ...results.map(([service, text]) => `${SCRAPE_UP}{service="${service}"} ${text === null ? 0 : 1}`),
    '',
  ].join('\n');
}

/**
 * The gateway registry's text merged with every service's (fetched in parallel, each bounded by
 * `timeoutMs`) and the scrape_up gauge.
 * @example c.body(await productMetricsText(deps, registry, ['auth', 'quota', 'publisher'], 1000), 200, { 'content-type': registry.contentType })
 */
export async function productMetricsText(deps: RouteDeps, registry: Registry, services: readonly ServiceName[], timeoutMs: number): Promise<string> {
  const [own, ...results] = await Promise.all([
    registry.metrics(),
    ...services.map(async (s) => [s, await scrape(deps, s, timeoutMs)] as const),
  ]);
  const serviceTexts = results.flatMap(([, text]) => (text === null ? [] : [text]));
  return mergeExpositions([own, ...serviceTexts, scrapeUpText(results)]);
}
