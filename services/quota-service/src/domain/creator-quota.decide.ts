/**
 * The creator quota rules. Pure: time and ids arrive in the command metadata.
 * Rejections are events (QuotaRejected), not throws: other services subscribe to them.
 */
import {
  countedReservations,
  DAY_MS,
  kindOf,
  RESERVATION_TTL_MS,
  type CreatorExhausted,
  type CreatorQuotaEvent,
  type CreatorQuotaState,
  type ExhaustionCode,
  type QuotaPolicy,
  type QuotaRejected,
  type RejectionCode,
  type ShareMode,
} from './creator-quota.ts';

export type ReserveQuota = {
  type: 'ReserveQuota';
  data: { shareId: string; accountId: string; openId: string; mode: ShareMode };
  metadata: { at: Date; reservationId: string };
};
/** TikTok accepted the init (publisher's UploadInitialized). */
export type ConsumeReservation = {
  type: 'ConsumeReservation';
  data: { shareId: string; openId: string; publishId: string | null };
  metadata: { at: Date };
};
export type ReleaseReservation = {
  type: 'ReleaseReservation';
  data: { shareId: string; openId: string; reason: string };
  metadata: { at: Date };
};
/** The sweeper's command: release only if still unconsumed after the TTL. */
export type ExpireReservation = {
  type: 'ExpireReservation';
  data: { shareId: string; openId: string };
  metadata: { at: Date };
};
/** TikTok said the creator's budget is spent although our ledger had room (other apps). */
export type RecordExhaustion = {
  type: 'RecordExhaustion';
  data: { openId: string; code: ExhaustionCode };
  metadata: { at: Date };
};

export type CreatorQuotaCommand = ReserveQuota | ConsumeReservation | ReleaseReservation | ExpireReservation | RecordExhaustion;

export function decideCreatorQuota(command: CreatorQuotaCommand, state: CreatorQuotaState, policy: QuotaPolicy): CreatorQuotaEvent[] {
  switch (command.type) {
    case 'ReserveQuota':
      return reserve(command, state, policy);
    case 'ConsumeReservation':
      return consume(command, state);
    case 'ReleaseReservation':
      return release(command, state);
    case 'ExpireReservation':
      return expire(command, state);
    case 'RecordExhaustion':
      return exhaust(command, state);
    default: {
      const never: never = command;
      return never;
    }
  }
}

function reserve(command: ReserveQuota, state: CreatorQuotaState, policy: QuotaPolicy): CreatorQuotaEvent[] {
  const { data, metadata } = command;
  const existing = state.reservations.get(data.shareId);
  // Idempotent per share: a live or consumed reservation is the answer to a repeated request.
  if (existing && existing.status !== 'released') return [];
  const at = metadata.at.getTime();
  const limit = data.mode === 'direct' ? policy.dailyPostLimit : policy.pendingDraftLimit;
  const counted = countedReservations(state, data.mode, at);
  const exhaustedUntil = data.mode === 'direct' ? state.dailyExhaustedUntil : state.draftsExhaustedUntil;
  const code: RejectionCode = data.mode === 'direct' ? 'daily_limit_reached' : 'pending_drafts_limit_reached';
  if (exhaustedUntil > at) return [rejection(command, code, limit, counted.length, Math.max(exhaustedUntil, slotFreesAt(counted, limit)))];
  if (counted.length >= limit) return [rejection(command, code, limit, counted.length, slotFreesAt(counted, limit))];
  return [
    {
      type: 'QuotaReserved',
      data: {
        reservationId: metadata.reservationId,
        shareId: data.shareId,
        accountId: data.accountId,
        openId: data.openId,
        mode: data.mode,
        kind: kindOf(data.mode),
        limit,
        used: counted.length + 1,
        windowStartsAt: new Date(at - DAY_MS).toISOString(),
        reservedAt: metadata.at.toISOString(),
        expiresAt: new Date(at + RESERVATION_TTL_MS).toISOString(),
      },
    },
  ];
}

/**
 * When usage drops below `limit` if nothing is released: the (used - limit + 1)-th oldest counted
 * slot leaves the window 24 h after it started counting. 0 when a slot is free already.
 */
export function slotFreesAt(counted: readonly { countedFrom: number }[], limit: number): number {
  if (counted.length < limit) return 0;
  const slot = counted[counted.length - limit];
  return slot ? slot.countedFrom + DAY_MS : 0;
}

/** A QuotaRejected for `command` (also used by the unaudited-app rule). */
export function rejection(command: ReserveQuota, code: RejectionCode, limit: number, used: number, retryAt: number): QuotaRejected {
  return {
    type: 'QuotaRejected',
    data: {
      shareId: command.data.shareId,
      accountId: command.data.accountId,
      openId: command.data.openId,
      mode: command.data.mode,
      kind: kindOf(command.data.mode),
      code,
      limit,
      used,
      windowStartsAt: new Date(command.metadata.at.getTime() - DAY_MS).toISOString(),
      retryAt: new Date(retryAt).toISOString(),
      rejectedAt: command.metadata.at.toISOString(),
    },
  };
}

function consume(command: ConsumeReservation, state: CreatorQuotaState): CreatorQuotaEvent[] {
  const r = state.reservations.get(command.data.shareId);
  // Unknown share: nothing reserved here (never ours, or pruned long ago); nothing to count against.
  if (!r || r.status === 'consumed') return [];
  return [
    {
      type: 'ReservationConsumed',
      data: {
        reservationId: r.reservationId,
        shareId: r.shareId,
        openId: command.data.openId,
        mode: r.mode,
        publishId: command.data.publishId,
        consumedAt: command.metadata.at.toISOString(),
        // Released (expired) before TikTok's answer arrived: TikTok counted it, so must we.
        late: r.status === 'released',
      },
    },
  ];
}

function release(command: ReleaseReservation, state: CreatorQuotaState): CreatorQuotaEvent[] {
  const r = state.reservations.get(command.data.shareId);
  // Consumed: TikTok counted the post (or the pending draft), so the slot stays taken.
  if (!r || r.status !== 'reserved') return [];
  return [released(r, command.data.openId, command.data.reason, command.metadata.at)];
}

function expire(command: ExpireReservation, state: CreatorQuotaState): CreatorQuotaEvent[] {
  const r = state.reservations.get(command.data.shareId);
  if (!r || r.status !== 'reserved') return [];
  if (command.metadata.at.getTime() < r.reservedAt + RESERVATION_TTL_MS) return [];
  return [released(r, command.data.openId, 'expired', command.metadata.at)];
}

function released(r: { reservationId: string; shareId: string; mode: ShareMode }, openId: string, reason: string, at: Date): CreatorQuotaEvent {
  return {
    type: 'QuotaReleased',
    data: { reservationId: r.reservationId, shareId: r.shareId, openId, mode: r.mode, kind: kindOf(r.mode), reason, releasedAt: at.toISOString() },
  };
}

function exhaust(command: RecordExhaustion, state: CreatorQuotaState): CreatorExhausted[] {
  const at = command.metadata.at.getTime();
  const kind = exhaustionKind(command.data.code);
  const until = at + DAY_MS;
  const current = kind === 'daily' ? state.dailyExhaustedUntil : state.draftsExhaustedUntil;
  if (current >= until) return [];
  return [
    {
      type: 'CreatorExhausted',
      data: { openId: command.data.openId, kind, code: command.data.code, at: command.metadata.at.toISOString(), until: new Date(until).toISOString() },
    },
  ];
}

function exhaustionKind(code: ExhaustionCode): 'daily' | 'drafts' {
  switch (code) {
    case 'spam_risk_too_many_posts':
      return 'daily';
    case 'spam_risk_too_many_pending_share':
      return 'drafts';
    default: {
      const never: never = code;
      return never;
    }
  }
}
