/**
 * The composition root every service shares when it runs as its own process
 * (`npm run start:<service>`): configuration from the environment (DESIGN §4), PostgreSQL, the bus,
 * the service, and a graceful shutdown on SIGTERM / SIGINT. `<NAME>_SCHEMA` and `NATS_PREFIX` let
 * several deployments share one PostgreSQL and one NATS (they are not contract variables).
 */
import type { Kysely } from 'kysely';
import { loadConfig, type AppConfig } from './config.ts';
import { openDatabase } from './db.ts';
import { createLogger, type Logger } from './logger.ts';

export interface ServiceProcessDeps<B> {
  db: Kysely<any>;
  schema: string;
  bus: B;
  logger: Logger;
  config: AppConfig;
}

export interface ServiceProcessOptions<B extends { close(): Promise<void> }> {
  /** `auth`, `quota` or `publisher`: logger name, default schema, `<NAME>_SCHEMA` variable. */
  service: string;
  connectBus(opts: { servers: string[]; name: string; prefix?: string; logger: Logger }): Promise<B>;
  create(deps: ServiceProcessDeps<B>): { start(): Promise<void>; stop(): Promise<void> };
  env?: NodeJS.ProcessEnv;
}

/**
 * @example
 * await runServiceProcess({ service: 'quota', connectBus: createNatsBus, create: (d) => createQuotaService({ ...d, config: quotaConfigFrom(d.config) }) });
 */
export async function runServiceProcess<B extends { close(): Promise<void> }>(opts: ServiceProcessOptions<B>): Promise<void> {
  const env = opts.env ?? process.env;
  const name = `${opts.service}-service`;
  try {
    const config = loadConfig(env);
    const logger = createLogger({ service: opts.service, level: config.logLevel });
    if (!config.databaseUrl || config.natsServers.length === 0) {
      throw new Error(`DATABASE_URL and NATS_URL are required to run the ${name} alone (npm start embeds everything)`);
    }
    const database = await openDatabase({ url: config.databaseUrl });
    const prefix = env['NATS_PREFIX'];
    const bus = await opts.connectBus({ servers: config.natsServers, name, logger, ...(prefix ? { prefix } : {}) });
    const schema = env[`${opts.service.toUpperCase()}_SCHEMA`] ?? opts.service;
    const service = opts.create({ db: database.db, schema, bus, logger, config });
    await service.start();
    logger.info({ schema }, `${name} started`);
    let stopping = false;
    const shutdown = async (signal: string): Promise<void> => {
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
    // `on`, not `once`: under tsx a group kill delivers the signal twice (direct and relayed).
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    process.on('SIGINT', () => void shutdown('SIGINT'));
  } catch (err) {
    // Only the message: a configuration error names the variable, never its value.
    process.stderr.write(`${name} failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
