/**
 * Runs the auth service as its own process (`npm run start:auth-service`): configuration from the
 * environment (DESIGN §4), PostgreSQL, NATS, graceful shutdown (libs/platform/src/service-process.ts).
 */
import { createNatsBus } from '@tiktok-share/messaging';
import { runServiceProcess } from '@tiktok-share/platform/service-process.ts';
import { createAuthService } from './app.ts';
import { authConfigFrom } from './config.ts';

await runServiceProcess({
  service: 'auth',
  connectBus: createNatsBus,
  create: (deps) => createAuthService({ ...deps, config: authConfigFrom(deps.config) }),
});
