/**
 * The saga worker of one instance: claims one unfinished share at a time, renews its lease every
 * third of the lease while running the saga, and gives the share back on trouble (with a delay).
 */
import { claimShare, releaseLease, renewLease } from '../adapters/db/leases.ts';
import type { PublisherContext } from './context.ts';
import { runShare } from './run-share.ts';

export interface Worker {
  /** Look for work now (after a share was accepted). */
  notify(): void;
  stop(): Promise<void>;
}

export function startWorker(ctx: PublisherContext): Worker {
  const { db } = ctx.store;
  const { workerId, leaseMs, workPollMs } = ctx.config;
  let stopped = false;
  let wake: (() => void) | null = null;
  const idle = () => new Promise<void>((r) => { wake = r; setTimeout(r, workPollMs).unref?.(); });

  async function workOn(shareId: string): Promise<void> {
    let owned = true;
    const renew = setInterval(() => {
      renewLease(db, ctx.schema, shareId, workerId, leaseMs).then((ok) => { owned = owned && ok; }, () => { owned = false; });
    }, Math.max(100, Math.floor(leaseMs / 3)));
    try {
      await runShare(ctx, shareId, { stillOwner: async () => owned && !stopped && (await renewLease(db, ctx.schema, shareId, workerId, leaseMs)) });
      await releaseLease(db, ctx.schema, shareId, workerId);
    } catch (err) {
      ctx.logger.warn({ err, shareId }, 'share step failed; will retry');
      await releaseLease(db, ctx.schema, shareId, workerId, 2_000).catch(() => undefined);
    } finally {
      clearInterval(renew);
    }
  }

  const loop = (async () => {
    while (!stopped) {
      let shareId: string | null = null;
      try {
        shareId = await claimShare(db, ctx.schema, workerId, leaseMs);
      } catch (err) {
        ctx.logger.error({ err }, 'claim failed');
      }
      if (shareId) await workOn(shareId);
      else await idle();
    }
  })();

  return {
    notify() { wake?.(); },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
