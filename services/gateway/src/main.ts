/**
 * The gateway as its own process (`npm run start:gateway`): reads the environment (DESIGN §4),
 * connects to NATS, serves the app on PORT, and shuts down gracefully on SIGTERM/SIGINT.
 * Without GATEWAY_JWT_SECRET / GATEWAY_JWKS_URL a dev secret is generated and a ready demo token
 * printed (never in production: set one of them).
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createNatsBus } from '@tiktok-share/messaging/nats-bus.ts';
import { loadConfig } from '@tiktok-share/platform/config.ts';
import { createLogger } from '@tiktok-share/platform/logger.ts';
import { DEFAULT_CLIENT_SECRET } from '@tiktok-share/tiktok-emulator/options.ts';
import { createGateway } from './app.ts';
import { signDevToken } from './http/auth.ts';

/** Bundled samples (repo root `media/samples`) when MEDIA_ROOT is not set. */
const BUNDLED_MEDIA_ROOT = fileURLToPath(new URL('../../../media/samples', import.meta.url));
const DEMO_USER_ID = 'demo-user';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ service: 'gateway', level: config.logLevel });
  if (config.natsServers.length === 0) throw new Error('NATS_URL is required to run the gateway alone (npm start runs everything in one process)');
  const devSecret = !config.jwt.secret && !config.jwt.jwksUrl ? randomBytes(32).toString('base64url') : undefined;
  const prefix = process.env['NATS_PREFIX'];
  const bus = await createNatsBus({ servers: config.natsServers, name: 'gateway', logger, ...(prefix ? { prefix } : {}) });
  const { app } = createGateway({
    bus, logger,
    config: {
      jwtSecret: config.jwt.secret ?? devSecret, jwksUrl: config.jwt.jwksUrl,
      clientSecret: config.tiktok.clientSecret ?? DEFAULT_CLIENT_SECRET,
      publicBaseUrl: config.publicBaseUrl, mediaRoot: config.media.root ?? BUNDLED_MEDIA_ROOT,
    },
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: '0.0.0.0' });
  logger.info({ port: config.port }, 'gateway listening');
  if (devSecret) {
    const token = await signDevToken(devSecret, DEMO_USER_ID, ['admin']);
    process.stdout.write(`\nShare UI: ${config.publicBaseUrl}/?token=${token}\n(dev JWT for "${DEMO_USER_ID}", valid 12 h)\n\n`);
  }
  let stopping = false;
  // `on`, not `once`: under tsx a group kill delivers the signal twice (direct and relayed), and a
  // second one with no listener would kill the process mid-shutdown.
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close();
    await bus.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`gateway failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
