/**
 * Runs the quota service as its own process (`npm run start:quota-service`): configuration from the
 * environment (DESIGN §4), PostgreSQL, NATS, graceful shutdown (libs/platform/src/service-process.ts).
 */
import { createNatsBus } from '@tiktok-share/messaging';
import { runServiceProcess } from '@tiktok-share/platform/service-process.ts';
import { createQuotaService } from './app.ts';
import { quotaConfigFrom } from './config.ts';

await runServiceProcess({
  service: 'quota',
  connectBus: createNatsBus,
  create: (deps) => createQuotaService({ ...deps, config: quotaConfigFrom(deps.config) }),
});
