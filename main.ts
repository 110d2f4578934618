/**
 * `npm start`: the embedded default. All four services, the TikTok emulator (unless real TikTok is
 * configured) and the web share UI in one process. PostgreSQL from DATABASE_URL or embedded PGlite
 * under ./.data/; NATS from NATS_URL or the in-process bus. Prints the UI URL and a demo token.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createInProcessBus, createNatsBus, type Bus } from '@tiktok-share/messaging';
import { loadConfig, type EnvName } from '@tiktok-share/platform/config.ts';
import { ensureSchema, openDatabase } from '@tiktok-share/platform/db.ts';
import { createLogger } from '@tiktok-share/platform/logger.ts';
import { DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, startEmulator, type RunningEmulator } from '@tiktok-share/tiktok-emulator';
import { createAuthService } from './services/auth-service/src/app.ts';
import { createGateway } from './services/gateway/src/app.ts';
import { signDevToken } from './services/gateway/src/http/auth.ts';
import { authConfigFrom } from './services/auth-service/src/config.ts';
import { createPublisherService } from './services/publisher-service/src/app.ts';
import { publisherConfigFrom } from './services/publisher-service/src/config.ts';
import { createQuotaService } from './services/quota-service/src/app.ts';
import { quotaConfigFrom } from './services/quota-service/src/config.ts';

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const DEMO_USER_ID = 'demo-user';

/** A generated secret kept in a file, so restarts keep tokens decryptable and printed JWTs valid. */
async function keptSecret(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}

async function embeddedDefaults(dataDir: string, env: NodeJS.ProcessEnv): Promise<Partial<Record<EnvName, string>>> {
  const port = env.PORT ?? '8080';
  const emulatorPort = env.TIKTOK_EMULATOR_PORT ?? '8090';
  const emulator = `http://127.0.0.1:${emulatorPort}`;
  const useEmulator = !env.TIKTOK_API_BASE_URL && !env.TIKTOK_CLIENT_KEY;
  const defaults: Partial<Record<EnvName, string>> = {
    TOKEN_ENCRYPTION_KEY: await keptSecret(join(dataDir, 'token-encryption-key')),
    MEDIA_ROOT: join(ROOT, 'media', 'samples'),
  };
  if (!env.GATEWAY_JWKS_URL) defaults.GATEWAY_JWT_SECRET = await keptSecret(join(dataDir, 'gateway-jwt-secret'));
  if (useEmulator) {
    Object.assign(defaults, {
      TIKTOK_API_BASE_URL: emulator,
      TIKTOK_AUTH_URL: `${emulator}/v2/auth/authorize/`,
      TIKTOK_CLIENT_KEY: DEFAULT_CLIENT_KEY,
      TIKTOK_CLIENT_SECRET: DEFAULT_CLIENT_SECRET,
      TIKTOK_WEBHOOK_URL: `${env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${port}`}/api/v1/tiktok/webhooks`,
    });
  }
  return defaults;
}

async function main(): Promise<void> {
  // DATA_DIR is not a contract variable: it lets tests run several embedded instances side by side.
  const dataDir = resolve(process.env.DATA_DIR ?? join(ROOT, '.data'));
  await mkdir(dataDir, { recursive: true });
  const defaults = await embeddedDefaults(dataDir, process.env);
  const config = loadConfig(process.env, defaults);
  const logger = createLogger({ service: 'embedded', level: config.logLevel });
  const { tiktok } = config;
  if (!tiktok.clientKey || !tiktok.clientSecret) throw new Error('TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET are required with real TikTok');
  const { clientKey, clientSecret } = tiktok;

  let emulator: RunningEmulator | undefined;
  if (tiktok.useEmulator) {
    emulator = await startEmulator({
      port: tiktok.emulatorPort, hostname: '127.0.0.1',
      clientKey, clientSecret,
      redirectUris: [tiktok.redirectUri], webhookUrl: tiktok.webhookUrl,
      appAudited: tiktok.appAudited, dailyPostLimit: tiktok.dailyPostLimit,
      verifiedUrlPrefixes: tiktok.verifiedUrlPrefixes, processingDelayMs: 1500,
    });
    logger.info({ url: emulator.url }, 'TikTok emulator running');
  }

  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : join(dataDir, 'pglite') });
  const bus: Bus = config.natsServers.length > 0
    ? await createNatsBus({ servers: config.natsServers, name: `embedded-${hostname()}`, logger, ...(process.env.NATS_PREFIX ? { prefix: process.env.NATS_PREFIX } : {}) })
    : createInProcessBus();
  for (const schema of ['auth', 'quota', 'publisher']) await ensureSchema(database.db, schema);

  const serviceDeps = (service: string, schema: string) => ({ db: database.db, schema, bus, logger: createLogger({ service, level: config.logLevel }) });
  const auth = createAuthService({ ...serviceDeps('auth', 'auth'), config: authConfigFrom(config) });
  const quota = createQuotaService({ ...serviceDeps('quota', 'quota'), config: quotaConfigFrom(config) });
  const publisher = createPublisherService({
    ...serviceDeps('publisher', 'publisher'),
    config: publisherConfigFrom(config, process.env, { workerId: `embedded-${process.pid}` }),
  });
  for (const service of [auth, quota, publisher]) await service.start();

  const { app } = createGateway({
    bus, logger: createLogger({ service: 'gateway', level: config.logLevel }),
    config: {
      jwtSecret: config.jwt.secret, jwksUrl: config.jwt.jwksUrl, clientSecret,
      publicBaseUrl: config.publicBaseUrl, mediaRoot: config.media.root,
    },
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: '0.0.0.0' });
  logger.info({ port: config.port }, 'gateway listening');

  const lines = [`Share to TikTok is running (${config.databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}, ${config.natsServers.length ? 'NATS' : 'in-process bus'}${emulator ? ', TikTok emulator' : ''}).`];
  if (config.jwt.secret) {
    const token = await signDevToken(config.jwt.secret, DEMO_USER_ID, ['admin']);
    lines.push(`Share UI: ${config.publicBaseUrl}/?token=${token}`, `Demo user "${DEMO_USER_ID}" (admin), token valid 12 h.`);
  } else {
    lines.push(`Share UI: ${config.publicBaseUrl}/ (tokens from your JWKS issuer)`);
  }
  process.stdout.write(`\n${lines.join('\n')}\n\n`);

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close();
    for (const service of [publisher, quota, auth]) await service.stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
    await bus.close();
    await database.close();
    await emulator?.close();
    process.exit(0);
  };
  // `on`, not `once`: under tsx a group kill delivers the signal twice (direct and relayed).
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
