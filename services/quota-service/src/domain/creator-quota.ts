/**
 * Creator quota aggregate (stream `creator-<openId>`): the ledger of one TikTok creator's
 * Direct Posts and inbox drafts over a rolling 24 h window.
 *
 * Lifecycle of a reservation: reserved → consumed (TikTok accepted the init, so TikTok counts the
 * post from that moment) or reserved → released (the share failed before init, somebody asked, or
 * it sat unused for 10 minutes). A consumed reservation is never released: TikTok has counted it.
 *
 * QuotaReserved / QuotaRejected / QuotaReleased are public integration events (DESIGN §6);
 * ReservationConsumed and CreatorExhausted are private to this service.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;
/** An unconsumed reservation is released automatically after this long. */
export const RESERVATION_TTL_MS = 10 * 60 * 1000;

export type ShareMode = 'direct' | 'draft';
/** The cap a mode spends (contract name): Direct Posts → `daily_post`, inbox drafts → `pending_draft`. */
export type QuotaKind = 'daily_post' | 'pending_draft';

export function kindOf(mode: ShareMode): QuotaKind {
  return mode === 'direct' ? 'daily_post' : 'pending_draft';
}

/** The limits a decision is taken against (from config; TikTok documents them in tiktok-api.md §5). */
export interface QuotaPolicy {
  /** TIKTOK_DAILY_POST_LIMIT: Direct Posts per creator per rolling 24 h. */
  dailyPostLimit: number;
  /** Inbox drafts sent to one creator per rolling 24 h (TikTok: 5 pending shares). */
  pendingDraftLimit: number;
  /** TIKTOK_APP_AUDITED; when false at most `unauditedCreatorLimit` creators post per 24 h. */
  appAudited: boolean;
  unauditedCreatorLimit: number;
}

export const DEFAULT_POLICY: QuotaPolicy = {
  dailyPostLimit: 15,
  pendingDraftLimit: 5,
  appAudited: true,
  unauditedCreatorLimit: 5,
};

/** Stable codes of a rejected reservation (also the AppError codes of `quota.reserve`). */
export type RejectionCode = 'daily_limit_reached' | 'pending_drafts_limit_reached' | 'unaudited_app_creator_cap';

/** TikTok error codes that tell us a creator's budget is spent elsewhere (other apps). */
export type ExhaustionCode = 'spam_risk_too_many_posts' | 'spam_risk_too_many_pending_share';

export interface QuotaReservedData {
  reservationId: string;
  shareId: string;
  accountId: string;
  openId: string;
  mode: ShareMode;
  kind: QuotaKind;
  /** The cap that applies to `mode` and its usage including this reservation. */
  limit: number;
  used: number;
  /** Start of the rolling 24 h window the usage was counted in. */
  windowStartsAt: string;
  reservedAt: string;
  /** When the sweeper releases it if TikTok has not accepted the init by then. */
  expiresAt: string;
}

export interface QuotaRejectedData {
  shareId: string;
  accountId: string;
  openId: string;
  mode: ShareMode;
  kind: QuotaKind;
  code: RejectionCode;
  limit: number;
  /** Usage in the window, the rejected request not included. */
  used: number;
  windowStartsAt: string;
  /** Earliest time a new attempt can succeed (assuming nothing is released earlier). */
  retryAt: string;
  rejectedAt: string;
}

export interface QuotaReleasedData {
  reservationId: string;
  shareId: string;
  openId: string;
  mode: ShareMode;
  kind: QuotaKind;
  /** `expired` (sweeper), `share_failed` (publisher event) or the reason given to `quota.release`. */
  reason: string;
  releasedAt: string;
}

export interface ReservationConsumedData {
  reservationId: string;
  shareId: string;
  openId: string;
  mode: ShareMode;
  publishId: string | null;
  consumedAt: string;
  /** True when the reservation had already been released (e.g. expired): TikTok counted it anyway. */
  late: boolean;
}

export interface CreatorExhaustedData {
  openId: string;
  kind: 'daily' | 'drafts';
  code: ExhaustionCode;
  at: string;
  /** TikTok's window rolls 24 h after it told us the budget was spent. */
  until: string;
}

export type QuotaReserved = { type: 'QuotaReserved'; data: QuotaReservedData };
export type QuotaRejected = { type: 'QuotaRejected'; data: QuotaRejectedData };
export type QuotaReleased = { type: 'QuotaReleased'; data: QuotaReleasedData };
export type ReservationConsumed = { type: 'ReservationConsumed'; data: ReservationConsumedData };
export type CreatorExhausted = { type: 'CreatorExhausted'; data: CreatorExhaustedData };

export type CreatorQuotaEvent = QuotaReserved | QuotaRejected | QuotaReleased | ReservationConsumed | CreatorExhausted;
export type CreatorQuotaEventType = CreatorQuotaEvent['type'];

/** Integration events leave through the outbox relay; the others stay private. */
export const PUBLIC_EVENT_TYPES: ReadonlySet<string> = new Set(['QuotaReserved', 'QuotaRejected', 'QuotaReleased']);

export interface Reservation {
  reservationId: string;
  shareId: string;
  mode: ShareMode;
  status: 'reserved' | 'consumed' | 'released';
  reservedAt: number;
  /** The moment the slot started to count toward the 24 h window (reservedAt, then consumedAt). */
  countedFrom: number;
  /** When it was consumed or released; null while reserved. */
  endedAt: number | null;
}

export interface CreatorQuotaState {
  /** Keyed by shareId: one live reservation per share. */
  reservations: ReadonlyMap<string, Reservation>;
  dailyExhaustedUntil: number;
  draftsExhaustedUntil: number;
}

export function initialCreatorQuotaState(): CreatorQuotaState {
  return { reservations: new Map(), dailyExhaustedUntil: 0, draftsExhaustedUntil: 0 };
}

export function creatorStreamId(openId: string): string {
  return `creator-${openId}`;
}

/** Apply one event. Entries that can no longer count or be referred to (> 24 h) are pruned. */
export function evolveCreatorQuota(state: CreatorQuotaState, event: CreatorQuotaEvent): CreatorQuotaState {
  switch (event.type) {
    case 'QuotaReserved':
      return withReservation(state, Date.parse(event.data.reservedAt), {
        reservationId: event.data.reservationId,
        shareId: event.data.shareId,
        mode: event.data.mode,
        status: 'reserved',
        reservedAt: Date.parse(event.data.reservedAt),
        countedFrom: Date.parse(event.data.reservedAt),
        endedAt: null,
      });
    case 'QuotaRejected':
      return state;
    case 'QuotaReleased':
      return updateReservation(state, event.data.shareId, (r) => ({ ...r, status: 'released', endedAt: Date.parse(event.data.releasedAt) }));
    case 'ReservationConsumed': {
      const at = Date.parse(event.data.consumedAt);
      return updateReservation(state, event.data.shareId, (r) => ({ ...r, status: 'consumed', countedFrom: at, endedAt: at }));
    }
    case 'CreatorExhausted': {
      const until = Date.parse(event.data.until);
      return event.data.kind === 'daily'
        ? { ...state, dailyExhaustedUntil: Math.max(state.dailyExhaustedUntil, until) }
        : { ...state, draftsExhaustedUntil: Math.max(state.draftsExhaustedUntil, until) };
    }
    default: {
      const never: never = event;
      return never;
    }
  }
}

function withReservation(state: CreatorQuotaState, now: number, reservation: Reservation): CreatorQuotaState {
  const next = new Map<string, Reservation>();
  // Pruning keeps the state bounded: anything that ended more than a day ago can neither count
  // nor be the target of a late consume/release that matters.
  for (const [shareId, r] of state.reservations) {
    if (r.endedAt !== null && r.endedAt <= now - DAY_MS && r.countedFrom <= now - DAY_MS) continue;
    next.set(shareId, r);
  }
  next.set(reservation.shareId, reservation);
  return { ...state, reservations: next };
}

function updateReservation(state: CreatorQuotaState, shareId: string, fn: (r: Reservation) => Reservation): CreatorQuotaState {
  const current = state.reservations.get(shareId);
  if (!current) return state;
  const next = new Map(state.reservations);
  next.set(shareId, fn(current));
  return { ...state, reservations: next };
}

/** Does this reservation count toward its mode's 24 h cap at `at`? */
export function countsAt(r: Reservation, at: number): boolean {
  if (r.status === 'reserved') return true;
  if (r.status === 'consumed') return r.countedFrom > at - DAY_MS;
  return false;
}

/** Reservations of `mode` counting at `at`, oldest first. */
export function countedReservations(state: CreatorQuotaState, mode: ShareMode, at: number): Reservation[] {
  return [...state.reservations.values()]
    .filter((r) => r.mode === mode && countsAt(r, at))
    .sort((a, b) => a.countedFrom - b.countedFrom);
}
