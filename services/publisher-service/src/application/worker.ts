/**
 * The saga worker of one instance: `workerSlots` loops, each claiming one unfinished share at a
 * time (so an instance works on up to N shares at once, and a share is never on two slots: the
 * claim is `FOR UPDATE SKIP LOCKED` on `share_work` and sets a lease, see leases.ts). Each slot
 * renews its share's lease every third of the lease while running the saga and gives the share
 * back on trouble (with a delay).
 *
 * Why slots: a share is mostly waiting (TikTok HTTP, PostgreSQL, NATS), so one share at a time
 * drains at the inverse of one saga's latency; N slots overlap those waits.
 */
import { claimShare, releaseLease, renewLease } from '../adapters/db/leases.ts';
import type { PublisherContext } from './context.ts';
import { isTerminal } from '../domain/share.ts';
import { runShare } from './run-share.ts';

export interface Worker {
  /** Look for work now (after a share was accepted). */
  notify(): void;
  stop(): Promise<void>;
}

export function startWorker(ctx: PublisherContext): Worker {
  const { db } = ctx.store;
  const { workerId, leaseMs, workPollMs } = ctx.config;
  const slots = Math.max(1, ctx.config.workerSlots);
  let stopped = false;
  // Idle slots wait here; notify() wakes them all (the losers of the claim race go back to sleep).
  let waiters: Array<() => void> = [];
  const wakeAll = () => { const w = waiters; waiters = []; for (const r of w) r(); };
  // Only slot 0 polls the table at workPollMs; the others sleep 10× longer unless woken (by
  // notify(), or by a slot that just claimed a share: where there was one there may be more), so an
  // idle instance costs one claim query per poll, not one per slot.
  const idle = (slotNo: number) => new Promise<void>((resolve) => {
    const done = () => { waiters = waiters.filter((w) => w !== done); resolve(); };
    waiters.push(done);
    setTimeout(done, slotNo === 0 ? workPollMs : workPollMs * 10).unref?.();
  });

  async function workOn(shareId: string): Promise<void> {
    let owned = true;
    // Local time of the last successful renewal: within a third of the lease the lease is known to
    // be ours for at least two more thirds, exactly the margin the periodic renewal keeps, so the
    // guard need not ask PostgreSQL again before every TikTok call.
    let renewedAt = performance.now();
    const renewNow = async () => {
      const askedAt = performance.now(); // before the query: PostgreSQL's now() is later than this
      const ok = await renewLease(db, ctx.schema, shareId, workerId, leaseMs);
      if (ok) renewedAt = askedAt;
      owned = owned && ok;
      return owned;
    };
    const renew = setInterval(() => { renewNow().catch(() => { owned = false; }); }, Math.max(100, Math.floor(leaseMs / 3)));
    const stillOwner = async () => owned && !stopped && (performance.now() - renewedAt < leaseMs / 3 || (await renewNow()));
    try {
      const final = await runShare(ctx, shareId, { stillOwner });
      // A terminal share has no share_work row any more (the terminal event's append deleted it in
      // the same transaction): releasing would be a query that updates nothing.
      if (!isTerminal(final)) await releaseLease(db, ctx.schema, shareId, workerId);
    } catch (err) {
      ctx.logger.warn({ err, shareId }, 'share step failed; will retry');
      await releaseLease(db, ctx.schema, shareId, workerId, 2_000).catch(() => undefined);
    } finally {
      clearInterval(renew);
    }
  }

  async function slot(slotNo: number): Promise<void> {
    while (!stopped) {
      let shareId: string | null = null;
      try {
        shareId = await claimShare(db, ctx.schema, workerId, leaseMs);
      } catch (err) {
        ctx.logger.error({ err }, 'claim failed');
      }
      if (shareId) {
        // More work may be waiting: let an idle slot look too.
        waiters.shift()?.();
        await workOn(shareId);
      } else {
        await idle(slotNo);
      }
    }
  }

  const loops = Promise.all(Array.from({ length: slots }, (_, i) => slot(i)));

  return {
    notify() { waiters.shift()?.(); },
    async stop() {
      stopped = true;
      wakeAll();
      await loops;
    },
  };
}
