import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { testNatsBus } from './testing.ts';
import { describeBusContract } from './bus.contract.ts';

describeBusContract('NATS JetStream', async () => {
  const t = await testNatsBus({ logger: pino({ level: 'silent' }) });
  return { bus: t.bus, cleanup: t.cleanup };
});

describe('NATS bus: instances sharing a durable', () => {
  it('deliver each message to one instance only, one at a time, in order', async () => {
    const t = await testNatsBus({ logger: pino({ level: 'silent' }) });
    try {
      const peer = await t.peer();
      await t.bus.ensureStreams([{ name: 'EVENTS', subjects: ['ev.>'] }]);
      const seen: Array<[instance: string, body: string]> = [];
      let inFlight = 0;
      let maxInFlight = 0;
      for (const [instance, bus] of [['a', t.bus], ['b', peer]] as const) {
        await bus.consume({
          stream: 'EVENTS', durable: 'svc--shared', filterSubject: 'ev.>',
          handler: async (m) => {
            inFlight += 1;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await new Promise((r) => setTimeout(r, 5));
            seen.push([instance, new TextDecoder().decode(m.data)]);
            inFlight -= 1;
          },
        });
      }
      const bodies = Array.from({ length: 20 }, (_, i) => String(i));
      for (const b of bodies) await t.bus.publish('ev.x', new TextEncoder().encode(b), { msgId: b });
      const deadline = Date.now() + 10_000;
      while (seen.length < bodies.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.map(([, b]) => b)).toEqual(bodies);
      expect(maxInFlight).toBe(1);
    } finally {
      await t.cleanup();
    }
  });
});

describe('NATS bus: a slow handler and an idle instance on the same durable', () => {
  it('the idle instance does not get a redelivery while the slow handler is still working', async () => {
    const t = await testNatsBus({ logger: pino({ level: 'silent' }) });
    try {
      const peer = await t.peer();
      await t.bus.ensureStreams([{ name: 'EVENTS', subjects: ['ev.>'] }]);
      const deliveries: Array<[instance: string, deliveryCount: number]> = [];
      for (const [instance, bus] of [['a', t.bus], ['b', peer]] as const) {
        await bus.consume({
          stream: 'EVENTS', durable: 'svc--slow', filterSubject: 'ev.>', ackWaitMs: 500,
          handler: async (m) => {
            deliveries.push([instance, m.deliveryCount]);
            await new Promise((r) => setTimeout(r, 1500));
          },
        });
      }
      await t.bus.publish('ev.long', new TextEncoder().encode('long'), { msgId: 'long' });
      await new Promise((r) => setTimeout(r, 2000));
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]?.[1]).toBe(1);
    } finally {
      await t.cleanup();
    }
  });
});
