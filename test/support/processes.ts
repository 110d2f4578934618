/** Helpers for tests that run the product as real child processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface Started {
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawn a command, collecting its output (for assertions and for failure messages). */
export function startProcess(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Started {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  return {
    child,
    output: () => out,
    stop: (signal = 'SIGTERM') => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 10_000);
      child.once('exit', (code) => { clearTimeout(timer); resolve(code); });
      try { process.kill(-child.pid!, signal); } catch { resolve(child.exitCode); }
    }),
  };
}

/** Poll `url` until it answers `status` or the deadline passes. */
export async function waitForHttp(url: string, opts: { status?: number; timeoutMs: number; describe?: () => string }): Promise<Response> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.status === (opts.status ?? 200)) return res;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} not ready (${last})\n${opts.describe?.() ?? ''}`);
}

/**
 * A private JetStream-enabled `nats-server` on a free port with its store under `storeDir`.
 * For suites whose processes cannot take a subject prefix: they get a server of their own instead.
 */
export async function startNatsServer(storeDir: string, cwd: string): Promise<Started & { url: string }> {
  const port = await freePort();
  const server = startProcess('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { cwd, env: process.env });
  const deadline = Date.now() + 15_000;
  while (!/Server is ready/.test(server.output())) {
    if (server.child.exitCode !== null || Date.now() > deadline) throw new Error(`nats-server did not start\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { ...server, url: `nats://127.0.0.1:${port}` };
}
