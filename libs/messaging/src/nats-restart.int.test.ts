/**
 * A consumer and a responder survive a NATS server restart. Runs its own throwaway nats-server
 * (JetStream on a temp store dir, random port) so the shared server is never disturbed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createNatsBus, type NatsBus } from './nats-bus.ts';

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? 'nats-server';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function startServer(port: number, storeDir: string): Promise<ChildProcess> {
  const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('nats-server did not start')), 10_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Server is ready')) { clearTimeout(timer); resolve(); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`nats-server exited with ${code}`)); });
  });
  return child;
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function eventually(check: () => void, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { check(); return; } catch (err) { if (Date.now() > deadline) throw err; }
    await sleep(50);
  }
}

describe('NATS bus across a server restart', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

  it('keeps consuming the durable and answering requests after the server comes back', async () => {
    const port = await freePort();
    const storeDir = mkdtempSync(join(tmpdir(), 'nats-restart-'));
    cleanups.push(async () => rmSync(storeDir, { recursive: true, force: true }));
    let server = await startServer(port, storeDir);
    cleanups.push(async () => stopServer(server));

    const bus: NatsBus = await createNatsBus({ servers: `nats://127.0.0.1:${port}`, name: 'restart-test', logger: pino({ level: 'silent' }), consumerRestartDelayMs: 200 });
    cleanups.push(() => bus.close());
    await bus.ensureStreams([{ name: 'EVENTS', subjects: ['ev.>'] }]);
    const seen: string[] = [];
    await bus.consume({ stream: 'EVENTS', durable: 'c--restart', filterSubject: 'ev.>', handler: async (m) => { seen.push(new TextDecoder().decode(m.data)); } });
    await bus.respond('rpc.ping', async () => new TextEncoder().encode('pong'), { queue: 'svc' });
    await bus.publish('ev.x', new TextEncoder().encode('before'), { msgId: 'm1' });
    await eventually(() => expect(seen).toEqual(['before']), 5000);
    await sleep(200); // let the ack reach the server before pulling the plug

    await stopServer(server);
    expect(await bus.healthy()).toBe(false);
    server = await startServer(port, storeDir);
    const deadline = Date.now() + 10_000;
    while (!(await bus.healthy()) && Date.now() < deadline) await sleep(100);
    expect(await bus.healthy()).toBe(true);

    await bus.publish('ev.x', new TextEncoder().encode('after'), { msgId: 'm2' });
    // Well under the 10 s pull expiry: the adapter re-pulls on reconnect instead of waiting.
    const t0 = Date.now();
    await eventually(() => expect(seen).toEqual(['before', 'after']), 20_000);
    expect(Date.now() - t0).toBeLessThan(8000);
    const reply = await bus.request('rpc.ping', new Uint8Array(), { timeoutMs: 2000 });
    expect(new TextDecoder().decode(reply)).toBe('pong');
  }, 60_000);
});
