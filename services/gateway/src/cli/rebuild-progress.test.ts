import { describe, expect, it } from 'vitest';
import { createInProcessBus } from '@tiktok-share/messaging/in-process-bus.ts';
import { serveRpc } from '@tiktok-share/messaging/rpc.ts';
import { z } from 'zod';
import { renderBar, replay } from './rebuild-progress.ts';

describe('renderBar', () => {
  it('fills proportionally and handles unknown totals', () => {
    expect(renderBar(5, 10, 10)).toBe('[#####.....]  50% 5/10 events');
    expect(renderBar(10, 10, 4)).toBe('[####] 100% 10/10 events');
    expect(renderBar(7, null, 3)).toBe('[???] 7 events');
  });
});

describe('replay', () => {
  it('starts the rebuild and polls the status until done', async () => {
    const bus = createInProcessBus();
    let polls = 0;
    await serveRpc(bus, 'tiktok.rpc.quota.admin.rebuild', z.object({}), () => ({ started: true as const }), { queue: 'q' });
    await serveRpc(bus, 'tiktok.rpc.quota.admin.rebuild-status', z.object({}), () => {
      polls++;
      return { running: polls < 3, processed: polls * 50, total: 150 };
    }, { queue: 'q' });
    const out: string[] = [];
    const code = await replay('quota', { bus, write: (s) => out.push(s), sleep: async () => undefined });
    expect(code).toBe(0);
    expect(polls).toBe(3);
    expect(out.join('')).toContain('100% 150/150 events');
    await bus.close();
  });

  it('without a status op it reports the start and exits 0', async () => {
    const bus = createInProcessBus();
    await serveRpc(bus, 'tiktok.rpc.auth.admin.rebuild', z.object({}), () => ({ started: true as const }), { queue: 'q' });
    const out: string[] = [];
    expect(await replay('auth', { bus, write: (s) => out.push(s), sleep: async () => undefined, timeoutMs: 50 })).toBe(0);
    expect(out.join('')).toContain('reports no rebuild status');
    await bus.close();
  });

  it('fails when the service is not there', async () => {
    const bus = createInProcessBus();
    await expect(replay('publisher', { bus, write: () => undefined, sleep: async () => undefined, timeoutMs: 50 })).rejects.toMatchObject({ code: 'service_unavailable' });
    await bus.close();
  });
});
