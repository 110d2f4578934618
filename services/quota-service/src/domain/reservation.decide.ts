/**
 * A reservation touches up to two aggregates: the creator's ledger and, for an unaudited app's
 * Direct Post, the app-wide posting-creators set. Both outcomes are decided here, purely, so the
 * application can append both in one transaction with expected versions.
 */
import { type CreatorQuotaEvent, type CreatorQuotaState, type QuotaPolicy } from './creator-quota.ts';
import { decideCreatorQuota, rejection, type ReserveQuota } from './creator-quota.decide.ts';
import { admitPostingCreator, type PostingCreatorsEvent, type PostingCreatorsState } from './posting-creators.ts';

export interface ReservationDecision {
  creatorEvents: CreatorQuotaEvent[];
  appEvents: PostingCreatorsEvent[];
}

export function decideReservation(
  command: ReserveQuota,
  creator: CreatorQuotaState,
  app: PostingCreatorsState,
  policy: QuotaPolicy,
): ReservationDecision {
  const creatorEvents = decideCreatorQuota(command, creator, policy);
  const reserved = creatorEvents.some((e) => e.type === 'QuotaReserved');
  if (!reserved || policy.appAudited || command.data.mode !== 'direct') return { creatorEvents, appEvents: [] };
  const admission = admitPostingCreator(app, command.data.openId, command.metadata.at, policy);
  if (admission.admitted) return { creatorEvents, appEvents: admission.events };
  return {
    creatorEvents: [rejection(command, 'unaudited_app_creator_cap', policy.unauditedCreatorLimit, admission.active, admission.retryAt)],
    appEvents: [],
  };
}

/** Whether the app-wide set must be read for this command (skip the extra read otherwise). */
export function needsPostingCreators(command: ReserveQuota, policy: QuotaPolicy): boolean {
  return !policy.appAudited && command.data.mode === 'direct';
}
