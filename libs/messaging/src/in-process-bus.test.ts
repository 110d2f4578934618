import { describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { createInProcessBus } from './in-process-bus.ts';
import { describeBusContract } from './bus.contract.ts';

describeBusContract('in-process', async () => {
  const bus = createInProcessBus({ logger: pino({ level: 'silent' }) });
  return { bus, cleanup: () => bus.close() };
});

describe('in-process bus specifics', () => {
  it('accepts a msgId again once the dedupe window has passed (injected clock)', async () => {
    let now = 1_000_000;
    const bus = createInProcessBus({ logger: pino({ level: 'silent' }), now: () => now });
    await bus.ensureStreams([{ name: 'S', subjects: ['s.>'], duplicateWindowMs: 1000 }]);
    await bus.publish('s.a', new Uint8Array([1]), { msgId: 'id' });
    now += 999;
    await bus.publish('s.a', new Uint8Array([2]), { msgId: 'id' });
    now += 2;
    await bus.publish('s.a', new Uint8Array([3]), { msgId: 'id' });
    const seen: number[] = [];
    const sub = await bus.consume({ stream: 'S', durable: 'd', filterSubject: 's.>', handler: async (m) => { seen.push(m.data[0] ?? -1); } });
    await vi.waitFor(() => expect(seen).toEqual([1, 3]));
    await sub.stop();
    await bus.close();
  });

  it('refuses a second active consumer on the same durable', async () => {
    const bus = createInProcessBus({ logger: pino({ level: 'silent' }) });
    await bus.ensureStreams([{ name: 'S', subjects: ['s.>'] }]);
    const opts = { stream: 'S', durable: 'd', filterSubject: 's.>', handler: async () => {} };
    await bus.consume(opts);
    await expect(bus.consume(opts)).rejects.toThrow(/already being consumed/);
    await bus.close();
    expect(await bus.healthy()).toBe(false);
  });

  it('routing follows responders and subscribers added or stopped after a subject was already used', async () => {
    const bus = createInProcessBus({ logger: pino({ level: 'silent' }) });
    const bytes = (n: number) => new Uint8Array([n]);
    const one = await bus.respond('r.op', async () => bytes(1), { queue: 'q' });
    expect((await bus.request('r.op', bytes(0), { timeoutMs: 200 }))[0]).toBe(1);
    // A wildcard responder registered later must be seen by the same (already routed) subject.
    await one.stop();
    const wild = await bus.respond('r.*', async () => bytes(2));
    expect((await bus.request('r.op', bytes(0), { timeoutMs: 200 }))[0]).toBe(2);
    await wild.stop();
    await expect(bus.request('r.op', bytes(0), { timeoutMs: 50 })).rejects.toThrow();
    const seen: string[] = [];
    await bus.ensureStreams([{ name: 'S', subjects: ['s.>'] }]);
    await bus.publish('s.a', bytes(1), { msgId: 'm1' });
    const sub = await bus.subscribe('s.*', (subject) => { seen.push(subject); });
    await bus.publish('s.a', bytes(2), { msgId: 'm2' });
    await vi.waitFor(() => expect(seen).toEqual(['s.a']));
    await sub.stop();
    await bus.publish('s.a', bytes(3), { msgId: 'm3' });
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual(['s.a']);
    await expect(bus.publish('s..a', bytes(4), { msgId: 'm4' })).rejects.toThrow(/invalid subject/);
    await bus.close();
  });
});
