/** RPC envelope behaviour, run against each adapter (see rpc.test.ts and rpc.int.test.ts). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { z } from 'zod';
import { AppError, tooManyRequests } from '@tiktok-share/platform/errors.ts';
import type { Bus, Subscription } from './port.ts';
import { RequestTimeoutError } from './port.ts';
import type { BusFixture } from './bus.contract.ts';
import { callRpc, serveRpc } from './rpc.ts';

const Input = z.object({ a: z.number().int(), note: z.string().optional() });
const Output = z.object({ doubled: z.number() });

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

export function describeRpcContract(name: string, makeBus: () => Promise<BusFixture>): void {
  describe(`RPC: ${name}`, () => {
    let fx: BusFixture;
    let bus: Bus;
    let logLines: string[];
    const subs: Subscription[] = [];

    beforeEach(async () => {
      fx = await makeBus();
      bus = fx.bus;
      logLines = [];
      const logger = pino({ level: 'error' }, { write: (line: string) => { logLines.push(line); } });
      subs.push(await serveRpc(bus, 'rpc.math.double', Input, async (input) => {
        if (input.a === 429) throw tooManyRequests('daily_limit_reached', 'Daily post limit reached', '2030-01-01T00:00:00.000Z');
        if (input.a === 500) throw new Error('relation "auth.secret_tokens" does not exist');
        if (input.a === 999) return { doubled: 'not a number' } as unknown as { doubled: number };
        return { doubled: input.a * 2 };
      }, { queue: 'math', logger }));
    });
    afterEach(async () => {
      await Promise.all(subs.splice(0).map((s) => s.stop()));
      await fx.cleanup();
    });

    it('returns the validated result', async () => {
      await expect(callRpc(bus, 'rpc.math.double', { a: 21 }, Output, { timeoutMs: 2000 })).resolves.toEqual({ doubled: 42 });
    });

    it('rethrows an AppError with its code, status and extra fields', async () => {
      const err = await rejection(callRpc(bus, 'rpc.math.double', { a: 429 }, Output, { timeoutMs: 2000 }));
      expect([err.code, err.status, err.message]).toEqual(['daily_limit_reached', 429, 'Daily post limit reached']);
      expect(err.extra).toEqual({ retryAt: '2030-01-01T00:00:00.000Z' });
    });

    it('answers invalid input with validation_failed 400 and the failing paths', async () => {
      const err = await rejection(callRpc(bus, 'rpc.math.double', { a: 'x' }, Output, { timeoutMs: 2000 }));
      expect([err.code, err.status]).toEqual(['validation_failed', 400]);
      const errors = err.extra['errors'] as Array<{ path: string; message: string }>;
      expect(errors.map((e) => e.path)).toEqual(['a']);
      expect(typeof errors[0]?.message).toBe('string');
    });

    it('answers malformed JSON with validation_failed', async () => {
      const reply = await bus.request('rpc.math.double', new TextEncoder().encode('{nope'), { timeoutMs: 2000 });
      const body = JSON.parse(new TextDecoder().decode(reply)) as { ok: boolean; error: { code: string } };
      expect(body).toMatchObject({ ok: false, error: { code: 'validation_failed', status: 400 } });
    });

    it('hides unexpected errors behind internal_error 500 and logs the real one', async () => {
      const err = await rejection(callRpc(bus, 'rpc.math.double', { a: 500 }, Output, { timeoutMs: 2000 }));
      expect([err.code, err.status]).toEqual(['internal_error', 500]);
      expect(JSON.stringify({ m: err.message, e: err.extra })).not.toContain('secret_tokens');
      expect(logLines.join('\n')).toContain('secret_tokens');
    });

    it('treats a reply that breaks the output schema as internal_error', async () => {
      const err = await rejection(callRpc(bus, 'rpc.math.double', { a: 999 }, Output, { timeoutMs: 2000 }));
      expect(err.code).toBe('internal_error');
    });

    it('turns no answer in time into service_unavailable 503 caused by RequestTimeoutError', async () => {
      const err = await rejection(callRpc(bus, 'rpc.math.nobody', { a: 1 }, Output, { timeoutMs: 200 }));
      expect([err.code, err.status]).toEqual(['service_unavailable', 503]);
      expect(err.cause).toBeInstanceOf(RequestTimeoutError);
    });
  });
}
