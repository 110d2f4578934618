/**
 * Creator ledger states this instance has already folded, by stream, so a reservation reads only
 * the events appended since (usually none or a few) instead of the creator's whole history, which
 * grows by a few events per post for as long as the creator posts.
 *
 * Safe across instances without any invalidation: events are immutable and a stream's versions
 * are contiguous (every creator append carries its expected version), so the fold of versions
 * 1..v stays exact forever, and reading from v + 1 inside the deciding transaction yields the
 * current state. Decisions stay exact for the same reason as before: the append still carries
 * the version that was read. Only states read from committed events are remembered (never one
 * computed from our own append, which could still roll back).
 */
import type { CreatorQuotaState } from '../domain/creator-quota.ts';

export interface FoldedCreator {
  state: CreatorQuotaState;
  version: number;
}

export interface CreatorStates {
  get(streamId: string): FoldedCreator | undefined;
  set(streamId: string, folded: FoldedCreator): void;
}

/** Bounded (least recently used out): a forgotten creator is simply read from the start again. */
export function createCreatorStates(max = 10_000): CreatorStates {
  const states = new Map<string, FoldedCreator>();
  return {
    get(streamId) {
      const hit = states.get(streamId);
      if (hit) {
        states.delete(streamId);
        states.set(streamId, hit);
      }
      return hit;
    },
    set(streamId, folded) {
      const known = states.get(streamId);
      if (known && known.version > folded.version) return; // a slower reader must not step back
      states.delete(streamId);
      states.set(streamId, folded);
      if (states.size > max) states.delete(states.keys().next().value!);
    },
  };
}
