/** createEmulator: the whole emulator as one Hono app over web-standard Request/Response. */
import { Hono } from 'hono';
import { controlRoutes } from './control.routes.ts';
import type { EmulatorOptions } from './options.ts';
import { oauthRoutes } from './oauth.routes.ts';
import { postingRoutes } from './posting.routes.ts';
import { createState, type EmulatorState } from './state.ts';
import { uploadRoutes } from './upload.routes.ts';
import { userInfoRoutes } from './user-info.routes.ts';

export type Emulator = { app: Hono; state: EmulatorState; close(): Promise<void> };

/**
 * Builds the emulator (no listening). Mount `app` anywhere; `close()` stops timers and retries.
 * @example
 * const emu = createEmulator({ appAudited: false, processingDelayMs: 0 });
 * const res = await emu.app.request('/v2/oauth/token/', { method: 'POST', body: form });
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const state = createState(options);
  const app = new Hono();
  app.route('/', oauthRoutes(state));
  app.route('/', userInfoRoutes(state));
  app.route('/', postingRoutes(state));
  app.route('/', uploadRoutes(state));
  app.route('/', controlRoutes(state));
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.onError((err, c) => c.json({ error: { code: 'internal_error', message: err.message, log_id: '' } }, 500));
  return {
    app,
    state,
    async close() {
      state.closed = true;
      for (const t of state.timers) clearTimeout(t);
      state.timers.clear();
    },
  };
}
