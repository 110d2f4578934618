import { pino } from 'pino';
import { testNatsBus } from './testing.ts';
import { describeBusContract } from './bus.contract.ts';

describeBusContract('NATS JetStream', async () => {
  const t = await testNatsBus({ logger: pino({ level: 'silent' }) });
  return { bus: t.bus, cleanup: t.cleanup };
});
