/**
 * Running commands against the creator ledger, exactly, across any number of instances.
 *
 * Optimistic concurrency: read the stream, decide, append with the version that was read. If
 * another instance appended in between, the append fails with ConcurrencyError, the whole
 * transaction rolls back (including an inbox row, if any) and we decide again on fresh state.
 * No decision is ever taken on stale state, so 50 racing reservations grant exactly the cap.
 */
import { ConcurrencyError, type AnyTrx } from '@tiktok-share/eventstore';
import { creatorStreamId, evolveCreatorQuota, initialCreatorQuotaState, type CreatorQuotaEvent, type CreatorQuotaState } from '../domain/creator-quota.ts';
import { decideCreatorQuota, type CreatorQuotaCommand } from '../domain/creator-quota.decide.ts';
import { asCreatorEvent, toNewEvents, type Cause } from './stored-events.ts';
import type { QuotaContext } from './context.ts';

function isConflict(err: unknown): boolean {
  return err instanceof ConcurrencyError || (err instanceof Error && (err as { code?: unknown }).code === 'concurrency_conflict');
}

/** Jittered backoff so racing instances do not collide again in lockstep. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(50, 2 * attempt);
}

/** Run `attempt` (one whole transaction) until it does not lose an optimistic race. */
export async function retryOnConflict<T>(ctx: QuotaContext, attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isConflict(err) || i >= ctx.config.maxConcurrencyRetries) throw err;
      await new Promise((resolve) => setTimeout(resolve, backoffMs(i)));
    }
  }
}

/**
 * The creator's ledger state and version, read inside `trx`: from this instance's last fold of the
 * stream (creator-states.ts) plus the events after it.
 */
export async function loadCreator(ctx: QuotaContext, trx: AnyTrx, openId: string): Promise<{ state: CreatorQuotaState; version: number }> {
  const streamId = creatorStreamId(openId);
  const known = ctx.creatorStates.get(streamId);
  let state = known?.state ?? initialCreatorQuotaState();
  let version = known?.version ?? 0;
  const tail = await ctx.store.readStream(streamId, { fromVersion: version + 1, trx });
  for (const e of tail) {
    // Versions are contiguous; anything else means the fold cannot be continued: start over.
    if (e.streamVersion !== version + 1) return foldFromStart(ctx, trx, streamId);
    const event = asCreatorEvent(e);
    if (event) state = evolveCreatorQuota(state, event);
    version = e.streamVersion;
  }
  ctx.creatorStates.set(streamId, { state, version });
  return { state, version };
}

async function foldFromStart(ctx: QuotaContext, trx: AnyTrx, streamId: string): Promise<{ state: CreatorQuotaState; version: number }> {
  const folded = await ctx.store.aggregate(
    streamId,
    (state: CreatorQuotaState, e) => {
      const event = asCreatorEvent(e);
      return event ? evolveCreatorQuota(state, event) : state;
    },
    initialCreatorQuotaState(),
    { trx },
  );
  ctx.creatorStates.set(streamId, folded);
  return folded;
}

/** Decide and append one creator command inside `trx` (the caller owns the transaction and retries). */
export async function handleCreatorCommand(ctx: QuotaContext, trx: AnyTrx, openId: string, command: CreatorQuotaCommand, cause: Cause): Promise<CreatorQuotaEvent[]> {
  const { state, version } = await loadCreator(ctx, trx, openId);
  const events = decideCreatorQuota(command, state, ctx.config.policy);
  if (events.length > 0) {
    await ctx.store.append(creatorStreamId(openId), toNewEvents(events, cause, command.metadata.at), { expectedVersion: version, trx });
  }
  return events;
}

/** One creator command in its own transaction, retried on conflicts. */
export async function runCreatorCommand(ctx: QuotaContext, openId: string, command: CreatorQuotaCommand, cause: Cause = {}): Promise<CreatorQuotaEvent[]> {
  const events = await retryOnConflict(ctx, () => ctx.store.transaction((trx) => handleCreatorCommand(ctx, trx, openId, command, cause)));
  if (events.length > 0) ctx.appended();
  return events;
}
