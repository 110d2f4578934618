/**
 * Load → decide → append with the expected version. A worker that lost its lease (or any stale
 * actor) gets a ConcurrencyError instead of writing over a newer decision.
 */
import { ConcurrencyError, type AnyTrx, type NewEvent, type StoredEvent } from '@tiktok-share/eventstore/types.ts';
import { decideShare, type ShareCommand } from '../domain/share.decide.ts';
import { evolveShare, initialShareState, PUBLIC_SHARE_EVENTS, streamIdOf, type ShareEvent, type ShareState } from '../domain/share.ts';
import type { PublisherContext } from './context.ts';

export interface LoadedShare {
  state: ShareState;
  version: number;
}

const evolveStored = (s: ShareState, e: StoredEvent) => evolveShare(s, e as unknown as ShareEvent);

export async function loadShare(ctx: Pick<PublisherContext, 'store'>, shareId: string, trx?: AnyTrx): Promise<LoadedShare> {
  return ctx.store.aggregate(streamIdOf(shareId), evolveStored, initialShareState(), trx ? { trx } : undefined);
}

export function toNewEvents(shareId: string, events: ShareEvent[]): NewEvent[] {
  return events.map((e) => ({ type: e.type, data: e.data, public: PUBLIC_SHARE_EVENTS.has(e.type), metadata: { correlationId: shareId } }));
}

/**
 * Decides `command` on the share's current state and appends the result (nothing when the decider
 * answers with no events). Returns the state after the command.
 *
 * `known`: the state this caller got from its own previous command (the saga worker carries it from
 * step to step instead of re-reading the stream), or the empty state of a share id just generated.
 * It is only a guess: the append still carries its version, so if anyone else (a webhook) appended
 * meanwhile the append conflicts, and the command is decided again on the stream as it really is.
 * Inside a caller's transaction a conflict cannot be retried (PostgreSQL aborted it): it is thrown.
 */
export async function executeOnShare(ctx: Pick<PublisherContext, 'store'>, shareId: string, command: ShareCommand, trx?: AnyTrx, known?: LoadedShare): Promise<LoadedShare> {
  if (known && trx) return decideAndAppend(ctx, shareId, command, known, trx);
  if (known) {
    try {
      return await decideAndAppend(ctx, shareId, command, known);
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }
  return decideAndAppend(ctx, shareId, command, await loadShare(ctx, shareId, trx), trx);
}

async function decideAndAppend(ctx: Pick<PublisherContext, 'store'>, shareId: string, command: ShareCommand, loaded: LoadedShare, trx?: AnyTrx): Promise<LoadedShare> {
  const events = decideShare(command, loaded.state);
  if (events.length === 0) return loaded;
  const result = await ctx.store.append(streamIdOf(shareId), toNewEvents(shareId, events), {
    expectedVersion: loaded.version === 0 ? 'no_stream' : loaded.version,
    ...(trx ? { trx } : {}),
  });
  return { state: events.reduce(evolveShare, loaded.state), version: result.nextVersion };
}
