/**
 * `npm run replay -- --service <auth|quota|publisher>`: asks the service (over NATS_URL) to rebuild
 * its read models by replaying its events and shows a progress bar until it is done.
 */
import { parseArgs } from 'node:util';
import { serviceNameSchema } from '@tiktok-share/contracts/common.ts';
import { createNatsBus } from '@tiktok-share/messaging/nats-bus.ts';
import { replay } from './rebuild-progress.ts';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { service: { type: 'string' } } });
  const service = serviceNameSchema.safeParse(values.service);
  if (!service.success) {
    process.stderr.write('usage: npm run replay -- --service <auth|quota|publisher>\n');
    return 2;
  }
  const servers = (process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222').split(',').map((s) => s.trim()).filter(Boolean);
  const prefix = process.env['NATS_PREFIX'];
  const bus = await createNatsBus({ servers, name: 'replay-cli', ...(prefix ? { prefix } : {}) });
  try {
    return await replay(service.data, {
      bus, write: (s) => process.stdout.write(s), sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
  } finally {
    await bus.close();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`replay failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
