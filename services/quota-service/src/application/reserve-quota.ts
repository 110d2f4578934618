/**
 * `quota.reserve`: take a slot of the creator's daily Direct Post cap or pending-draft cap, or be
 * told when to come back. A rejection is recorded (QuotaRejected, public) before it is answered.
 */
import type { AnyTrx } from '@tiktok-share/eventstore';
import { AppError } from '@tiktok-share/platform/errors.ts';
import {
  countedReservations, creatorStreamId, DAY_MS, kindOf, type QuotaKind, type QuotaRejectedData, type ShareMode,
} from '../domain/creator-quota.ts';
import type { ReserveQuota } from '../domain/creator-quota.decide.ts';
import {
  evolvePostingCreators, initialPostingCreatorsState, POSTING_CREATORS_STREAM, type PostingCreatorsState,
} from '../domain/posting-creators.ts';
import { decideReservation, needsPostingCreators } from '../domain/reservation.decide.ts';
import { loadCreator, retryOnConflict } from './ledger.ts';
import { asPostingCreatorsEvent, toNewEvents } from './stored-events.ts';
import type { QuotaContext } from './context.ts';

export interface ReserveInput {
  shareId: string;
  accountId: string;
  openId: string;
  mode: ShareMode;
  /** When the share was requested; default now. */
  at?: string | undefined;
}

export interface ReserveResult {
  reservationId: string;
  kind: QuotaKind;
  used: number;
  limit: number;
  windowStartsAt: string;
}

type Outcome = { ok: true; result: ReserveResult } | { ok: false; rejected: QuotaRejectedData };

/** @throws AppError 429 daily_limit_reached / pending_drafts_limit_reached, 422 unaudited_app_creator_cap */
export async function reserveQuota(ctx: QuotaContext, input: ReserveInput): Promise<ReserveResult> {
  const at = input.at ? new Date(input.at) : ctx.now();
  const command: ReserveQuota = {
    type: 'ReserveQuota',
    data: { shareId: input.shareId, accountId: input.accountId, openId: input.openId, mode: input.mode },
    metadata: { at, reservationId: ctx.newId() },
  };
  const outcome = await retryOnConflict(ctx, () => ctx.store.transaction((trx) => reserveIn(ctx, trx, command)));
  // Rejections are events too: the relay publishes them (after the commit, hence here).
  ctx.appended();
  if (outcome.ok) return outcome.result;
  throw rejectionError(outcome.rejected);
}

async function reserveIn(ctx: QuotaContext, trx: AnyTrx, command: ReserveQuota): Promise<Outcome> {
  const policy = ctx.config.policy;
  const creator = await loadCreator(ctx, trx, command.data.openId);
  const app = needsPostingCreators(command, policy) ? await loadPostingCreators(ctx, trx) : { state: initialPostingCreatorsState(), version: 0 };
  const { creatorEvents, appEvents } = decideReservation(command, creator.state, app.state, policy);
  const cause = { correlationId: command.data.shareId };
  if (appEvents.length > 0) {
    // Same transaction, own expected version: a 6th creator racing a 5th cannot both get in.
    await ctx.store.append(POSTING_CREATORS_STREAM, toNewEvents(appEvents, cause, command.metadata.at), { expectedVersion: app.version, trx });
  }
  if (creatorEvents.length > 0) {
    await ctx.store.append(creatorStreamId(command.data.openId), toNewEvents(creatorEvents, cause, command.metadata.at), {
      expectedVersion: creator.version,
      trx,
    });
  }
  const first = creatorEvents[0];
  if (first?.type === 'QuotaRejected') return { ok: false, rejected: first.data };
  if (first?.type === 'QuotaReserved') {
    const d = first.data;
    return { ok: true, result: { reservationId: d.reservationId, kind: d.kind, used: d.used, limit: d.limit, windowStartsAt: d.windowStartsAt } };
  }
  return { ok: true, result: existingReservation(ctx, command, creator.state) };
}

/** The answer to a repeated request for a share that already holds its slot. */
function existingReservation(ctx: QuotaContext, command: ReserveQuota, state: Awaited<ReturnType<typeof loadCreator>>['state']): ReserveResult {
  const existing = state.reservations.get(command.data.shareId);
  const at = command.metadata.at.getTime();
  const mode = existing?.mode ?? command.data.mode;
  const policy = ctx.config.policy;
  return {
    reservationId: existing?.reservationId ?? command.metadata.reservationId,
    kind: kindOf(mode),
    used: countedReservations(state, mode, at).length,
    limit: mode === 'direct' ? policy.dailyPostLimit : policy.pendingDraftLimit,
    windowStartsAt: new Date(at - DAY_MS).toISOString(),
  };
}

async function loadPostingCreators(ctx: QuotaContext, trx: AnyTrx): Promise<{ state: PostingCreatorsState; version: number }> {
  return ctx.store.aggregate(
    POSTING_CREATORS_STREAM,
    (state: PostingCreatorsState, e) => {
      const event = asPostingCreatorsEvent(e);
      return event ? evolvePostingCreators(state, event) : state;
    },
    initialPostingCreatorsState(),
    { trx },
  );
}

const MESSAGES: Record<QuotaRejectedData['code'], string> = {
  daily_limit_reached: 'This TikTok account reached its daily Direct Post limit; try again after retryAt.',
  pending_drafts_limit_reached: 'This TikTok account has 5 drafts waiting in its inbox in the last 24 hours; try again after retryAt.',
  unaudited_app_creator_cap:
    'This app is not audited by TikTok yet: at most 5 TikTok accounts can post through it per 24 hours; try again after retryAt.',
};

function rejectionError(r: QuotaRejectedData): AppError {
  const status = r.code === 'unaudited_app_creator_cap' ? 422 : 429;
  return new AppError(r.code, status, MESSAGES[r.code], { retryAt: r.retryAt, limit: r.limit, used: r.used, kind: r.kind });
}
