import { pino } from 'pino';
import { testNatsBus } from './testing.ts';
import { describeRpcContract } from './rpc.contract.ts';

describeRpcContract('NATS', async () => {
  const t = await testNatsBus({ logger: pino({ level: 'silent' }) });
  return { bus: t.bus, cleanup: t.cleanup };
});
