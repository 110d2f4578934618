/**
 * The behaviour every `Bus` adapter must have, as one vitest suite run against each adapter
 * (`describeBusContract('nats', ...)`, `describeBusContract('in-process', ...)`), so the embedded
 * default cannot drift from production NATS. Timings are short (100–500 ms) to keep it fast.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bus, BusMessage, ConsumeOptions, Subscription } from './port.ts';
import { RequestTimeoutError } from './port.ts';
import { decodeJson, encodeJson } from './codec.ts';

export interface BusFixture {
  bus: Bus;
  cleanup(): Promise<void>;
}

const STREAM = { name: 'EVENTS', subjects: ['ev.>'] };
const text = (d: Uint8Array) => new TextDecoder().decode(d);
const bytes = (s: string) => new TextEncoder().encode(s);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` stops throwing (or rethrows its last error after `timeoutMs`). */
async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { check(); return; } catch (err) { if (Date.now() > deadline) throw err; }
    await sleep(20);
  }
}

interface Seen { subject: string; body: string; deliveryCount: number; seq: number; at: number; headers: Record<string, string> }

/** Runs `describe(name)` with the whole contract against buses made by `makeBus`. */
export function describeBusContract(name: string, makeBus: () => Promise<BusFixture>): void {
  describe(`Bus contract: ${name}`, () => {
    let fx: BusFixture;
    let bus: Bus;
    const extra: BusFixture[] = [];
    const subs: Subscription[] = [];

    beforeEach(async () => {
      fx = await makeBus();
      bus = fx.bus;
      await bus.ensureStreams([STREAM]);
    });
    afterEach(async () => {
      await Promise.all(subs.splice(0).map((s) => s.stop()));
      await Promise.all([fx, ...extra.splice(0)].map((f) => f.cleanup()));
    });

    const publishAll = async (b: Bus, items: Array<[subject: string, body: string]>) => {
      for (const [subject, body] of items) await b.publish(subject, bytes(body), { msgId: `${subject}:${body}` });
    };

    /** Starts a consumer recording every delivery; `onMsg` decides the outcome (default: return → ack). */
    const consume = async (b: Bus, opts: Partial<ConsumeOptions> & { durable: string }, onMsg?: (m: BusMessage, seen: Seen[]) => Promise<void> | void) => {
      const seen: Seen[] = [];
      const sub = await b.consume({
        stream: STREAM.name, filterSubject: 'ev.>', ackWaitMs: 5000, retryDelayMs: 100, ...opts,
        handler: async (m) => {
          seen.push({ subject: m.subject, body: text(m.data), deliveryCount: m.deliveryCount, seq: m.seq, at: Date.now(), headers: m.headers });
          await onMsg?.(m, seen);
        },
      });
      subs.push(sub);
      return { seen, sub };
    };

    it('ensureStreams is idempotent and accepts changed subjects', async () => {
      await bus.ensureStreams([STREAM]);
      await bus.ensureStreams([{ ...STREAM, subjects: ['ev.>', 'more.>'] }]);
      await bus.publish('more.x', bytes('m'), { msgId: 'm1' });
      const { seen } = await consume(bus, { durable: 'c--more', filterSubject: 'more.>' });
      await eventually(() => expect(seen.map((s) => s.body)).toEqual(['m']));
    });

    it('rejects a publish no stream captures and a consumer on an unknown stream', async () => {
      await expect(bus.publish('nostream.x', bytes('x'), { msgId: 'n1' })).rejects.toThrow();
      await expect(bus.consume({ stream: 'MISSING', durable: 'c--missing', filterSubject: 'ev.>', handler: async () => {} })).rejects.toThrow();
    });

    it('publish + durable consume delivers in stream order with logical subjects and headers', async () => {
      await bus.publish('ev.a.1', bytes('first'), { msgId: 'h1', headers: { 'x-correlation': 'c1' } });
      await publishAll(bus, [['ev.b.1', 'other'], ['ev.a.2', 'second'], ['ev.a.3', 'third']]);
      const { seen } = await consume(bus, { durable: 'c--order', filterSubject: 'ev.a.*' });
      await eventually(() => expect(seen).toHaveLength(3));
      expect(seen.map((s) => [s.subject, s.body])).toEqual([['ev.a.1', 'first'], ['ev.a.2', 'second'], ['ev.a.3', 'third']]);
      expect(seen[0]?.headers['x-correlation']).toBe('c1');
      expect(seen.every((s) => s.deliveryCount === 1)).toBe(true);
      const seqs = seen.map((s) => s.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    });

    it('a durable resumes after stop/restart without redelivering acked messages', async () => {
      await publishAll(bus, [['ev.x', '1'], ['ev.x', '2'], ['ev.x', '3']]);
      const first = await consume(bus, { durable: 'c--resume' });
      await eventually(() => expect(first.seen).toHaveLength(3));
      await first.sub.stop();
      await publishAll(bus, [['ev.x', '4'], ['ev.x', '5']]);
      const second = await consume(bus, { durable: 'c--resume' });
      await eventually(() => expect(second.seen).toHaveLength(2));
      await sleep(300);
      expect(second.seen.map((s) => s.body)).toEqual(['4', '5']);
    });

    it("deliverPolicy 'new' starts a new durable after the existing messages", async () => {
      await publishAll(bus, [['ev.x', 'old']]);
      const { seen } = await consume(bus, { durable: 'c--new', deliverPolicy: 'new' });
      await sleep(100);
      await publishAll(bus, [['ev.x', 'fresh']]);
      await eventually(() => expect(seen.map((s) => s.body)).toEqual(['fresh']));
    });

    it('drops a duplicate msgId inside the dedupe window', async () => {
      await bus.publish('ev.d', bytes('one'), { msgId: 'same' });
      await bus.publish('ev.d', bytes('one again'), { msgId: 'same' });
      await bus.publish('ev.d', bytes('two'), { msgId: 'other' });
      const { seen } = await consume(bus, { durable: 'c--dedupe' });
      await eventually(() => expect(seen).toHaveLength(2));
      await sleep(200);
      expect(seen.map((s) => s.body)).toEqual(['one', 'two']);
    });

    it('redelivers after nak(delay), not before, and keeps later messages behind it', async () => {
      await publishAll(bus, [['ev.n', 'a'], ['ev.n', 'b']]);
      const { seen } = await consume(bus, { durable: 'c--nak' }, (m) => {
        if (text(m.data) === 'a' && m.deliveryCount === 1) m.nak(400);
      });
      await eventually(() => expect(seen).toHaveLength(3));
      expect(seen.map((s) => [s.body, s.deliveryCount])).toEqual([['a', 1], ['a', 2], ['b', 1]]);
      expect((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(350);
    });

    it('a throwing handler gets the message again after retryDelayMs', async () => {
      await publishAll(bus, [['ev.t', 'flaky']]);
      const { seen } = await consume(bus, { durable: 'c--throw', retryDelayMs: 200 }, (m) => {
        if (m.deliveryCount < 3) throw new Error('transient');
      });
      await eventually(() => expect(seen).toHaveLength(3));
      await sleep(300);
      expect(seen.map((s) => s.deliveryCount)).toEqual([1, 2, 3]);
      expect((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(150);
    });

    it('terminates a poison message after maxDeliver and processes the next one', async () => {
      await publishAll(bus, [['ev.p', 'poison'], ['ev.p', 'good']]);
      const { seen } = await consume(bus, { durable: 'c--poison', maxDeliver: 3 }, (m) => {
        if (text(m.data) === 'poison') throw new Error('cannot handle');
      });
      await eventually(() => expect(seen.map((s) => s.body)).toContain('good'));
      await sleep(400);
      expect(seen.map((s) => [s.body, s.deliveryCount])).toEqual([['poison', 1], ['poison', 2], ['poison', 3], ['good', 1]]);
    });

    it('term() never redelivers the message', async () => {
      await publishAll(bus, [['ev.term', 'bad'], ['ev.term', 'ok']]);
      const { seen } = await consume(bus, { durable: 'c--term' }, (m) => {
        if (text(m.data) === 'bad') m.term('unparseable');
      });
      await eventually(() => expect(seen).toHaveLength(2));
      await sleep(300);
      expect(seen.map((s) => [s.body, s.deliveryCount])).toEqual([['bad', 1], ['ok', 1]]);
    });

    it('a handler slower than ackWait is not redelivered while it runs', async () => {
      await publishAll(bus, [['ev.slow', 'long'], ['ev.slow', 'next']]);
      const { seen } = await consume(bus, { durable: 'c--slow', ackWaitMs: 300 }, async (m) => {
        if (text(m.data) === 'long') await sleep(900);
      });
      await eventually(() => expect(seen).toHaveLength(2));
      await sleep(300);
      expect(seen.map((s) => [s.body, s.deliveryCount])).toEqual([['long', 1], ['next', 1]]);
    });

    it('request/reply returns the responder answer and passes headers', async () => {
      subs.push(await bus.respond('rpc.echo', async (data, headers) => encodeJson({ got: decodeJson(data), h: headers['x-h'] ?? null }), { queue: 'svc' }));
      const reply = await bus.request('rpc.echo', encodeJson({ n: 1 }), { timeoutMs: 2000, headers: { 'x-h': 'v' } });
      expect(decodeJson(reply)).toEqual({ got: { n: 1 }, h: 'v' });
    });

    it('request with no responder fails with RequestTimeoutError', async () => {
      const started = Date.now();
      await expect(bus.request('rpc.nobody', bytes('x'), { timeoutMs: 300 })).rejects.toBeInstanceOf(RequestTimeoutError);
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('request to a slow responder fails with RequestTimeoutError after timeoutMs', async () => {
      subs.push(await bus.respond('rpc.slow', async () => { await sleep(600); return bytes('late'); }));
      const started = Date.now();
      await expect(bus.request('rpc.slow', bytes('x'), { timeoutMs: 150 })).rejects.toBeInstanceOf(RequestTimeoutError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    });

    it('queue group members share requests, each answered exactly once', async () => {
      const handled = [0, 0, 0];
      for (const i of [0, 1, 2]) {
        subs.push(await bus.respond('rpc.shared', async (data) => { handled[i] = (handled[i] ?? 0) + 1; return data; }, { queue: 'workers' }));
      }
      const replies = await Promise.all(Array.from({ length: 30 }, (_, n) => bus.request('rpc.shared', bytes(String(n)), { timeoutMs: 2000 })));
      expect(replies.map(text)).toEqual(Array.from({ length: 30 }, (_, n) => String(n)));
      await sleep(100);
      expect(handled.reduce((a, b) => a + b, 0)).toBe(30);
      expect(handled.filter((h) => h > 0).length).toBeGreaterThan(1);
    });

    it('subscribe sees publishes on matching subjects until stopped', async () => {
      const got: Array<[string, string]> = [];
      const sub = await bus.subscribe('ev.live.*', (subject, data) => { got.push([subject, text(data)]); });
      await publishAll(bus, [['ev.live.1', 'p1'], ['ev.other', 'no'], ['ev.live.2', 'p2']]);
      await eventually(() => expect(got).toEqual([['ev.live.1', 'p1'], ['ev.live.2', 'p2']]));
      await sub.stop();
      await publishAll(bus, [['ev.live.3', 'p3']]);
      await sleep(150);
      expect(got).toHaveLength(2);
    });

    it('buses with different prefixes do not see each other', async () => {
      const otherFx = await makeBus();
      extra.push(otherFx);
      const other = otherFx.bus;
      await other.ensureStreams([STREAM]);
      const live: string[] = [];
      subs.push(await other.subscribe('ev.>', (_s, d) => { live.push(text(d)); }));
      subs.push(await other.respond('rpc.iso', async () => bytes('other')));
      const theirs = await consume(other, { durable: 'c--iso' });
      const mine = await consume(bus, { durable: 'c--iso' });
      await publishAll(bus, [['ev.iso', 'mine']]);
      await eventually(() => expect(mine.seen.map((s) => s.body)).toEqual(['mine']));
      await expect(bus.request('rpc.iso', bytes('x'), { timeoutMs: 200 })).rejects.toBeInstanceOf(RequestTimeoutError);
      await sleep(200);
      expect(theirs.seen).toEqual([]);
      expect(live).toEqual([]);
    });
  });
}
