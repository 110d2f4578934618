/**
 * Composition root for running the quota service alone (`npm run start:quota-service`): reads the
 * environment (DESIGN §4), opens PostgreSQL and NATS, starts, and shuts down gracefully on signals.
 * Several of these processes may run at once: every limit is decided in PostgreSQL, exactly.
 */
import { createNatsBus } from '@tiktok-share/messaging';
import { loadConfig } from '@tiktok-share/platform/config.ts';
import { openDatabase } from '@tiktok-share/platform/db.ts';
import { createLogger } from '@tiktok-share/platform/logger.ts';
import { createQuotaService } from './app.ts';
import { quotaConfigFrom } from './config.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ service: 'quota', level: config.logLevel });
  if (!config.databaseUrl || config.natsServers.length === 0) {
    throw new Error('DATABASE_URL and NATS_URL are required to run the quota service alone (npm start embeds everything)');
  }
  const database = await openDatabase({ url: config.databaseUrl });
  const bus = await createNatsBus({ servers: config.natsServers, name: 'quota-service', logger });
  const service = createQuotaService({ db: database.db, schema: process.env['QUOTA_SCHEMA'] ?? 'quota', bus, logger, config: quotaConfigFrom(config) });
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
  console.error(`quota-service failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
