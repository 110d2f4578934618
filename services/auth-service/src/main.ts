/**
 * Composition root for running the auth service alone (`npm run start:auth-service`): picks pg,
 * NATS and pino from the environment (DESIGN §4), starts, and shuts down gracefully on signals.
 */
import { createNatsBus } from '@tiktok-share/messaging';
import { openDatabase } from '@tiktok-share/platform/db.ts';
import type { LogLevel } from '@tiktok-share/platform/config.ts';
import { createLogger } from '@tiktok-share/platform/logger.ts';
import { createAuthService } from './app.ts';
import { authConfigFromEnv } from './config.ts';

const SERVICE = 'auth';

async function main(): Promise<void> {
  // Redacts tokens, secrets, OAuth codes and states (platform SECRET_KEYS).
  const logger = createLogger({ service: SERVICE, level: (process.env['LOG_LEVEL'] ?? 'info') as LogLevel });
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
