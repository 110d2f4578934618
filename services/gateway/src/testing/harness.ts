/** A gateway on an in-process bus with stub services, plus token minting: for tests and the bench. */
import { pino } from 'pino';
import { createInProcessBus } from '@tiktok-share/messaging/in-process-bus.ts';
import type { Bus } from '@tiktok-share/messaging/port.ts';
import { createGateway, type Gateway, type GatewayConfig } from '../app.ts';
import { signDevToken } from '../http/auth.ts';
import { emptyStubState, startStubServices, type StubState } from './stub-services.ts';

export const TEST_JWT_SECRET = 'test-jwt-secret-at-least-32-bytes-long!!';
export const TEST_CLIENT_SECRET = 'tiktok-client-secret';

export interface Harness extends Gateway {
  bus: Bus;
  state: StubState;
  token(sub: string, roles?: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(overrides: Partial<GatewayConfig> = {}, now?: () => Date): Promise<Harness> {
  const bus = createInProcessBus();
  await bus.ensureStreams([
    { name: 'TIKTOK_PUBLISHER', subjects: ['tiktok.share.>'] },
    { name: 'TIKTOK_QUOTA', subjects: ['tiktok.quota.>'] },
  ]);
  const state = emptyStubState();
  const subs = await startStubServices(bus, state);
  const config: GatewayConfig = {
    jwtSecret: TEST_JWT_SECRET, clientSecret: TEST_CLIENT_SECRET, publicBaseUrl: 'http://127.0.0.1:8080',
    rpcTimeoutMs: 2000, readyTimeoutMs: 200, sseHeartbeatMs: 50, ...overrides,
  };
  const gateway = createGateway({ bus, logger: pino({ level: 'silent' }), config, ...(now ? { now } : {}) });
  return {
    ...gateway, bus, state,
    token: (sub, roles = []) => signDevToken(TEST_JWT_SECRET, sub, roles),
    async close() {
      await Promise.all(subs.map((s) => s.stop()));
      await bus.close();
    },
  };
}
