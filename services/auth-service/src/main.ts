/**
 * Composition root for running the auth service alone (`npm run start:auth-service`): picks pg,
 * NATS and pino from the environment (DESIGN §4), starts, and shuts down gracefully on signals.
 */
import pino from 'pino';
import { createNatsBus } from '@tiktok-share/messaging';
import { openDatabase } from '@tiktok-share/platform/db.ts';
import { createAuthService } from './app.ts';
import { authConfigFromEnv } from './config.ts';

const SERVICE = 'auth';

/**
 * pino paths take whole-segment wildcards only, so each sensitive key is listed. Not
 * platform's createLogger: its SECRET_KEYS lack `state`, and the OAuth state is a bearer secret
 * until consumed (the callback input carries it).
 */
const SENSITIVE = ['authorization', 'accessToken', 'refreshToken', 'access_token', 'refresh_token', 'token', 'clientSecret', 'client_secret', 'secret', 'code', 'state'];
const REDACT = SENSITIVE.flatMap((k) => [k, `*.${k}`]);

async function main(): Promise<void> {
  const logger = pino({
    level: process.env['LOG_LEVEL'] ?? 'info',
    base: { service: SERVICE },
    // Belt and braces: tokens never reach a log call, and would be censored if one did.
    redact: { paths: REDACT, censor: '[redacted]' },
  });
  const databaseUrl = process.env['DATABASE_URL'];
  const natsUrl = process.env['NATS_URL'];
  if (!databaseUrl || !natsUrl) throw new Error('DATABASE_URL and NATS_URL are required to run the auth service alone (npm start embeds everything)');
  const config = authConfigFromEnv(process.env);
  const database = await openDatabase({ url: databaseUrl });
  const bus = await createNatsBus({ servers: natsUrl.split(','), name: 'auth-service', logger });
  const service = createAuthService({ db: database.db, schema: process.env['AUTH_SCHEMA'] ?? 'auth', bus, logger, config });
  await service.start();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await service.stop();
      await bus.close();
      await database.close();
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  // Only the message: a config error names the variable, never its value.
  console.error(`auth-service failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
