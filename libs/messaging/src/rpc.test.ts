import { pino } from 'pino';
import { createInProcessBus } from './in-process-bus.ts';
import { describeRpcContract } from './rpc.contract.ts';

describeRpcContract('in-process', async () => {
  const bus = createInProcessBus({ logger: pino({ level: 'silent' }) });
  return { bus, cleanup: () => bus.close() };
});
