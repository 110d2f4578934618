/** startEmulator: the emulator on a real port via @hono/node-server. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createEmulator, type Emulator } from './emulator.ts';
import type { EmulatorOptions } from './options.ts';

export type RunningEmulator = { url: string; emulator: Emulator; close(): Promise<void> };

/**
 * Listens on `port` (0 = random) on 127.0.0.1 and sets the public base URL for upload URLs.
 * @example const emu = await startEmulator({ port: 0, processingDelayMs: 0 }); … await emu.close();
 */
export async function startEmulator(options: EmulatorOptions & { port?: number; hostname?: string } = {}): Promise<RunningEmulator> {
  const { port = 0, hostname = '127.0.0.1', ...rest } = options;
  // The base URL is only known after listening (random port): build the app lazily.
  let emulator: Emulator | undefined;
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: (req, env) => (emulator as Emulator).app.fetch(req, env), port, hostname }, () => resolve(s));
  });
  const address = server.address() as AddressInfo;
  const url = options.baseUrl ?? `http://${hostname}:${address.port}`;
  emulator = createEmulator({ ...rest, baseUrl: url });
  return {
    url,
    emulator,
    async close() {
      await emulator?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
