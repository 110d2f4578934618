/**
 * Giving slots back and recording what TikTok did: consume (init accepted), release (share failed
 * before init, or asked by the publisher), expire (unused for 10 minutes), exhaustion (TikTok said
 * the budget is spent by other apps).
 */
import { processOnce, type AnyTrx } from '@tiktok-share/eventstore';
import { RESERVATION_TTL_MS, type CreatorQuotaEvent, type ExhaustionCode } from '../domain/creator-quota.ts';
import { findReservation, reservationsDueForExpiry } from '../projections/quota.queries.ts';
import type { CreatorQuotaCommand } from '../domain/creator-quota.decide.ts';
import { handleCreatorCommand, retryOnConflict, runCreatorCommand } from './ledger.ts';
import type { QuotaContext } from './context.ts';

/** `quota.release`: idempotent; a consumed reservation stays counted (TikTok counted it). */
export async function releaseQuota(ctx: QuotaContext, input: { shareId: string; reason: string }): Promise<Record<string, never>> {
  const ref = await findReservation(ctx.db, ctx.schema, input.shareId);
  if (!ref) return {};
  await runCreatorCommand(
    ctx,
    ref.openId,
    { type: 'ReleaseReservation', data: { shareId: input.shareId, openId: ref.openId, reason: input.reason }, metadata: { at: ctx.now() } },
    { correlationId: input.shareId },
  );
  return {};
}

/** `quota.exhausted`: the creator is out of budget until 24 h after TikTok said so. */
export async function recordExhaustion(ctx: QuotaContext, input: { openId: string; code: ExhaustionCode; at?: string | undefined }): Promise<Record<string, never>> {
  const at = input.at ? new Date(input.at) : ctx.now();
  await runCreatorCommand(ctx, input.openId, { type: 'RecordExhaustion', data: { openId: input.openId, code: input.code }, metadata: { at } });
  return {};
}

export interface IncomingMessage {
  /** The event id (JetStream msgId): inbox key and causationId. */
  messageId: string;
  consumer: string;
}

/**
 * A publisher event about a share, handled exactly once per consumer: the inbox row and the
 * ledger append commit together; a lost race rolls both back and the whole thing is retried.
 */
export async function onShareEvent(
  ctx: QuotaContext,
  msg: IncomingMessage,
  shareId: string,
  commands: (openId: string, at: Date) => CreatorQuotaCommand[],
): Promise<CreatorQuotaEvent[]> {
  const result = await retryOnConflict(ctx, () =>
    processOnce(ctx.db, ctx.schema, msg.consumer, msg.messageId, async (trx: AnyTrx) => {
      const ref = await findReservation(trx, ctx.schema, shareId);
      // No reservation for this share: nothing of ours to consume or release (never reserved here).
      if (!ref) return [];
      const produced: CreatorQuotaEvent[] = [];
      // Sequential in one transaction: each command reads the stream including the previous append.
      for (const command of commands(ref.openId, ctx.now())) {
        produced.push(...(await handleCreatorCommand(ctx, trx, ref.openId, command, { correlationId: shareId, causationId: msg.messageId })));
      }
      return produced;
    }),
  );
  const events = result.duplicate ? [] : result.result;
  if (events.length > 0) ctx.appended();
  return events;
}

/** Release every reservation unused for 10 minutes; returns how many were released. */
export async function sweepExpired(ctx: QuotaContext, batch = 100): Promise<number> {
  const now = ctx.now();
  const due = await reservationsDueForExpiry(ctx.db, ctx.schema, new Date(now.getTime() - RESERVATION_TTL_MS), batch);
  let released = 0;
  for (const r of due) {
    // Several instances may sweep at once: the decider turns the loser's command into a no-op.
    const events = await runCreatorCommand(
      ctx,
      r.openId,
      { type: 'ExpireReservation', data: { shareId: r.shareId, openId: r.openId }, metadata: { at: now } },
      { correlationId: r.shareId },
    );
    released += events.length;
  }
  return released;
}
