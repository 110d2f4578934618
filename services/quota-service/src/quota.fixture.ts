/**
 * Test fixture (no tests here): two quota-service instances on one PostgreSQL schema and one NATS
 * prefix, sharing a fake clock — what "several instances" means in production.
 */
import { pino } from 'pino';
import { testDatabase } from '@tiktok-share/platform/testing.ts';
import { testNatsBus } from '@tiktok-share/messaging/testing.ts';
import type { Bus } from '@tiktok-share/messaging';
import { createQuotaService, type QuotaService } from './app.ts';
import { DEFAULT_QUOTA_CONFIG, type QuotaConfig } from './config.ts';

export const T0 = Date.parse('2025-03-01T00:00:00.000Z');
export const MIN = 60_000;

export interface QuotaFixture {
  a: QuotaService;
  b: QuotaService;
  busA: Bus;
  busB: Bus;
  schema: string;
  db: Awaited<ReturnType<typeof testDatabase>>['db'];
  clock: { ms: number; advance(ms: number): void };
  cleanup(): Promise<void>;
}

export async function quotaFixture(config: Partial<QuotaConfig> = {}): Promise<QuotaFixture> {
  const t = await testDatabase();
  const nats = await testNatsBus();
  const busB = await nats.peer();
  const schema = t.schema('quota');
  const clock = { ms: T0, advance(ms: number) { clock.ms += ms; } };
  const logger = pino({ level: 'silent' });
  // A long sweep interval: tests drive the sweeper explicitly through `sweep()`.
  const full = { ...DEFAULT_QUOTA_CONFIG, sweepIntervalMs: 3_600_000, ...config };
  const make = (bus: Bus) => createQuotaService({ db: t.db, schema, bus, logger, config: full, now: () => new Date(clock.ms) });
  const a = make(nats.bus);
  const b = make(busB);
  await a.start();
  await b.start();
  return {
    a, b, busA: nats.bus, busB, schema, db: t.db, clock,
    async cleanup() {
      await Promise.allSettled([a.stop(), b.stop()]);
      await nats.cleanup();
      await t.cleanup();
    },
  };
}
