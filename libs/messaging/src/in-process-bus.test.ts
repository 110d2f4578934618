import { pino } from 'pino';
import { createInProcessBus } from './in-process-bus.ts';
import { describeBusContract } from './bus.contract.ts';

describeBusContract('in-process', async () => {
  const bus = createInProcessBus({ logger: pino({ level: 'silent' }) });
  return { bus, cleanup: () => bus.close() };
});
