/**
 * Runs the publisher service as its own process (`npm run start:publisher-service`): configuration from the
 * environment (DESIGN §4), PostgreSQL, NATS, graceful shutdown (libs/platform/src/service-process.ts).
 */
import { createNatsBus } from '@tiktok-share/messaging';
import { runServiceProcess } from '@tiktok-share/platform/service-process.ts';
import { createPublisherService } from './app.ts';
import { publisherConfigFrom } from './config.ts';

await runServiceProcess({
  service: 'publisher',
  connectBus: createNatsBus,
  create: (deps) => createPublisherService({ ...deps, config: publisherConfigFrom(deps.config, process.env) }),
});
