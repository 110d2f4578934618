/**
 * Where integration tests find PostgreSQL and NATS JetStream (DESIGN §3, `npm test`):
 *   1. DATABASE_URL / NATS_URL when set;
 *   2. else the conventional local servers (127.0.0.1:5432 user postgres db test, 127.0.0.1:4222) when they answer;
 *   3. else containers through testcontainers when a container runtime answers (reaped at exit);
 *   4. else: under CI=true a hard failure; locally the integration tiers are skipped, loudly.
 * Runs in vitest's config (main process), so the URLs it sets reach every worker.
 */
import { connect } from 'node:net';

export type TestServices = 'env' | 'local' | 'containers' | 'none';

const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const LOCAL_NATS_URL = 'nats://127.0.0.1:4222';

function answers(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url.split(',')[0]!);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || defaultPort) });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function startContainers(): Promise<{ databaseUrl: string; natsUrl: string } | null> {
  try {
    const { GenericContainer, getContainerRuntimeClient, Wait } = await import('testcontainers');
    await getContainerRuntimeClient();
    const [pg, nats] = await Promise.all([
      new GenericContainer('postgres:15')
        .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'test' })
        .withExposedPorts(5432)
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start(),
      new GenericContainer('nats:2.9').withCommand(['-js']).withExposedPorts(4222)
        .withWaitStrategy(Wait.forLogMessage(/Server is ready/)).start(),
    ]);
    return {
      databaseUrl: `postgres://postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/test`,
      natsUrl: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`,
    };
  } catch {
    return null;
  }
}

/** Resolves the services and exports DATABASE_URL / NATS_URL for the test workers. */
export async function resolveTestServices(env: NodeJS.ProcessEnv = process.env): Promise<TestServices> {
  if (env.DATABASE_URL && env.NATS_URL) return 'env';
  const databaseUrl = env.DATABASE_URL ?? LOCAL_DATABASE_URL;
  const natsUrl = env.NATS_URL ?? LOCAL_NATS_URL;
  if ((await answers(databaseUrl, 5432)) && (await answers(natsUrl, 4222))) {
    Object.assign(env, { DATABASE_URL: databaseUrl, NATS_URL: natsUrl });
    return 'local';
  }
  const started = await startContainers();
  if (started) {
    Object.assign(env, { DATABASE_URL: started.databaseUrl, NATS_URL: started.natsUrl });
    return 'containers';
  }
  const message = 'No PostgreSQL / NATS JetStream for the integration tests: set DATABASE_URL and NATS_URL, start local servers, or a container runtime for testcontainers.';
  if (env.CI === 'true') throw new Error(message);
  process.stderr.write(`\n${'!'.repeat(100)}\n!! ${message}\n!! SKIPPING every *.int.test.ts and test/e2e suite: only pure unit tests run.\n${'!'.repeat(100)}\n\n`);
  return 'none';
}
