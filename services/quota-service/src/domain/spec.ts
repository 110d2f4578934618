/**
 * given(events).when(command).then(events) for the creator quota decider (test support only).
 */
import { expect } from 'vitest';
import { DEFAULT_POLICY, evolveCreatorQuota, initialCreatorQuotaState, type CreatorQuotaEvent, type CreatorQuotaState, type QuotaPolicy } from './creator-quota.ts';
import { decideCreatorQuota, type CreatorQuotaCommand } from './creator-quota.decide.ts';

export function stateOf(events: readonly CreatorQuotaEvent[]): CreatorQuotaState {
  return events.reduce(evolveCreatorQuota, initialCreatorQuotaState());
}

export function given(events: readonly CreatorQuotaEvent[], policy: QuotaPolicy = DEFAULT_POLICY) {
  return {
    when(command: CreatorQuotaCommand) {
      const produced = decideCreatorQuota(command, stateOf(events), policy);
      return {
        then(expected: readonly CreatorQuotaEvent[]): void {
          expect(produced).toEqual(expected);
        },
        thenMatch(expected: readonly unknown[]): void {
          expect(produced).toMatchObject(expected);
        },
        produced,
      };
    },
  };
}
