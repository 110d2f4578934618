/** What route handlers need: the bus (for RPC and live events), config, a clock and a logger. */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Bus } from '@tiktok-share/messaging/port.ts';

export interface GatewayConfig {
  jwtSecret?: string | undefined;
  jwksUrl?: string | undefined;
  /** TikTok client secret: the HMAC key of webhook signatures. */
  clientSecret: string;
  corsOrigins?: string[] | undefined;
  publicBaseUrl: string;
  /** Folder of sample videos listed by GET /api/v1/media (embedded/demo). Absent: empty list. */
  mediaRoot?: string | undefined;
  /** RPC timeout, ms. Default 5000. */
  rpcTimeoutMs?: number | undefined;
  /** Readiness probe timeout per service, ms. Default 1000. */
  readyTimeoutMs?: number | undefined;
  /** `GET /metrics`: how long to wait for each service's metrics over the bus, ms. Default readyTimeoutMs, else 1000. */
  metricsTimeoutMs?: number | undefined;
  /** SSE heartbeat comment period, ms. Default 15000. */
  sseHeartbeatMs?: number | undefined;
  /** After the view turns final, how long to wait for the terminal event, ms. Default 3000. */
  sseFinalGraceMs?: number | undefined;
}

/** Typed request/reply to a service; rethrows the service's AppError unchanged. */
export type Rpc = <S extends z.ZodType>(subject: string, input: unknown, output: S, opts?: { timeoutMs?: number; headers?: Record<string, string> }) => Promise<z.output<S>>;

export interface RouteDeps {
  bus: Bus;
  rpc: Rpc;
  logger: Logger;
  config: GatewayConfig;
  now: () => Date;
}
