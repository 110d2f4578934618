/**
 * Test helpers: a real NATS bus isolated by a unique prefix, and a cleanup that removes the
 * streams (and with them the durables) created under that prefix.
 */
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { TEST_NATS_URL, uniqueId } from '@tiktok-share/platform/testing.ts';
import { createNatsBus, type NatsBus, type NatsBusOptions } from './nats-bus.ts';
import { namePrefix, normalizePrefix } from './subjects.ts';

export interface TestNatsBus {
  bus: NatsBus;
  prefix: string;
  /** Another bus on the same prefix (another "instance" of a service). Closed by `cleanup`. */
  peer(): Promise<NatsBus>;
  /** Closes the buses and deletes every stream whose name carries this prefix. */
  cleanup(): Promise<void>;
}

/**
 * @example
 * const t = await testNatsBus(); ... await t.cleanup();
 */
export async function testNatsBus(opts: Partial<NatsBusOptions> = {}): Promise<TestNatsBus> {
  const prefix = normalizePrefix(opts.prefix ?? uniqueId());
  const make = () => createNatsBus({ servers: TEST_NATS_URL, name: `test-${prefix}`, consumerRestartDelayMs: 200, ...opts, prefix });
  const buses: NatsBus[] = [await make()];
  const bus = buses[0] as NatsBus;
  return {
    bus,
    prefix,
    async peer() {
      const b = await make();
      buses.push(b);
      return b;
    },
    async cleanup() {
      await Promise.all(buses.map((b) => b.close()));
      await deleteStreams(opts.servers ?? TEST_NATS_URL, namePrefix(prefix));
    },
  };
}

async function deleteStreams(servers: string | string[], streamPrefix: string): Promise<void> {
  if (streamPrefix === '') return; // never wipe an unprefixed server
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const name of jsm.streams.names()) if (name.startsWith(streamPrefix)) names.push(name);
    await Promise.all(names.map((n) => jsm.streams.delete(n)));
  } finally {
    await nc.close();
  }
}
