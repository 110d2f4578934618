/**
 * Embedded mode (`npm start` without DATABASE_URL / NATS_URL): the same service on PGlite and the
 * in-process bus. The real-PostgreSQL suites prove exactness; this one proves the SQL and the
 * wiring also run on the embedded stack.
 */
import { afterEach, expect, it } from 'vitest';
import { pino } from 'pino';
import { quotaAcquire, quotaReserve, quotaStatus } from '@tiktok-share/contracts/rpc.ts';
import { callRpc, createInProcessBus } from '@tiktok-share/messaging';
import { openDatabase, type Database } from '@tiktok-share/platform/db.ts';
import { isAppError } from '@tiktok-share/platform/errors.ts';
import { createQuotaService, type QuotaService } from './app.ts';

let database: Database | undefined;
let service: QuotaService | undefined;
afterEach(async () => {
  await service?.stop();
  await database?.close();
});

it('reserves, rejects, acquires and reports on PGlite + in-process bus', async () => {
  database = await openDatabase({});
  const bus = createInProcessBus();
  service = createQuotaService({ db: database.db, schema: 'quota', bus, logger: pino({ level: 'silent' }) });
  await service.start();
  const outcomes = await Promise.all(
    Array.from({ length: 18 }, (_, i) =>
      callRpc(bus, quotaReserve.subject, { shareId: `s${i}`, accountId: 'a', openId: 'o', mode: 'direct' }, quotaReserve.output).then(
        () => 'granted',
        (err: unknown) => (isAppError(err) ? err.code : 'error'),
      ),
    ),
  );
  expect(outcomes.filter((o) => o === 'granted')).toHaveLength(15);
  expect(outcomes.filter((o) => o === 'daily_limit_reached')).toHaveLength(3);
  expect(await callRpc(bus, quotaAcquire.subject, { tokenKey: 'k', openId: 'o', endpoint: 'video_init' }, quotaAcquire.output)).toEqual({ granted: true });
  const view = await callRpc(bus, quotaStatus.subject, { openId: 'o' }, quotaStatus.output);
  expect(view.daily).toMatchObject({ used: 15, remaining: 0 });
  expect(view.rate.video_init).toMatchObject({ used: 1, limit: 6 });
});
