/**
 * The gateway: the only public HTTP surface (DESIGN §5). Stateless, no database; every request is
 * answered from the services over the bus. `createGateway` has no side effects; `main.ts` serves it.
 */
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import type { Bus } from '@tiktok-share/messaging/port.ts';
import { AppError, internalError, isAppError } from '@tiktok-share/platform/errors.ts';
import { createJwtVerifier } from './http/auth.ts';
import { createEdgeMiddleware } from './http/edge.ts';
import { createGatewayMetrics } from './http/metrics.ts';
import { problemResponse } from './http/problem.ts';
import { registerRoutes } from './http/register.ts';
import type { RouteSpec } from './http/route.ts';
import { accountRoutes } from './routes/accounts.routes.ts';
import { adminRoutes } from './routes/admin.routes.ts';
import type { GatewayConfig, Rpc, RouteDeps } from './routes/deps.ts';
import { mediaRoutes } from './routes/media.routes.ts';
import { opsRoutes } from './routes/ops.routes.ts';
import { quotaRoutes } from './routes/quota.routes.ts';
import { shareRoutes } from './routes/shares.routes.ts';
import { uiRoutes } from './routes/ui.routes.ts';
import { webhookRoutes } from './routes/webhooks.routes.ts';

export type { GatewayConfig } from './routes/deps.ts';

export interface GatewayDeps {
  bus: Bus;
  logger: Logger;
  config: GatewayConfig;
  now?: () => Date;
}

export interface Gateway {
  app: Hono;
  /** The one route table: registered and documented from the same list. */
  routes: readonly RouteSpec[];
}

/**
 * @example
 * const { app } = createGateway({ bus, logger, config: { jwtSecret, clientSecret, publicBaseUrl } });
 * serve({ fetch: app.fetch, port: 8080 });
 */
export function createGateway(deps: GatewayDeps): Gateway {
  const rpcTimeoutMs = deps.config.rpcTimeoutMs ?? 5000;
  const rpc: Rpc = (subject, input, output, opts) =>
    callRpc(deps.bus, subject, input, output, { timeoutMs: opts?.timeoutMs ?? rpcTimeoutMs, ...(opts?.headers ? { headers: opts.headers } : {}) });
  const routeDeps: RouteDeps = { bus: deps.bus, rpc, logger: deps.logger, config: deps.config, now: deps.now ?? (() => new Date()) };
  const metrics = createGatewayMetrics();

  const routes: RouteSpec[] = [];
  routes.push(
    ...accountRoutes(routeDeps), ...shareRoutes(routeDeps), ...quotaRoutes(routeDeps), ...webhookRoutes(routeDeps),
    ...mediaRoutes(routeDeps), ...adminRoutes(routeDeps), ...opsRoutes(routeDeps, metrics.registry, () => routes), ...uiRoutes(),
  );

  const app = new Hono();
  app.use('*', createEdgeMiddleware({ corsOrigins: deps.config.corsOrigins ?? [], metrics }));
  registerRoutes(app, routes, { verifyBearer: createJwtVerifier(deps.config) });
  app.notFound((c) => problemResponse(new AppError('not_found', 404, 'No such route'), c.get('requestId')));
  app.onError((err, c) => {
    const requestId = c.get('requestId');
    if (isAppError(err)) {
      if (err.status >= 500) deps.logger.error({ err, requestId, code: err.code }, 'request failed');
      return problemResponse(err, requestId);
    }
    deps.logger.error({ err, requestId }, 'unhandled error');
    return problemResponse(internalError(), requestId);
  });
  return { app, routes };
}
