/**
 * Inline projection of the creator ledger: one row per share's reservation and one row per
 * exhausted creator. Written in the append transaction, so the status view, the consumers'
 * shareId → openId lookup and the expiry sweeper always see committed truth. Rebuildable by replay.
 */
import { sql } from 'kysely';
import type { AnyTrx, InlineProjection, StoredEvent } from '@tiktok-share/eventstore';
import type { CreatorQuotaEvent } from '../domain/creator-quota.ts';
import { asCreatorEvent } from '../application/stored-events.ts';

export const RESERVATIONS_PROJECTION = 'quota-reservations';

export function reservationsProjection(schema: string): InlineProjection {
  const s = sql.id(schema);
  return {
    name: RESERVATIONS_PROJECTION,
    handles: ['QuotaReserved', 'QuotaReleased', 'ReservationConsumed', 'CreatorExhausted'],
    async apply(trx: AnyTrx, events: StoredEvent[]) {
      for (const stored of events) {
        const event = asCreatorEvent(stored);
        if (event) await applyOne(trx, s, event);
      }
    },
    async truncate(trx: AnyTrx) {
      await sql`delete from ${s}.quota_reservations`.execute(trx);
      await sql`delete from ${s}.quota_creators`.execute(trx);
    },
    shadow: { tables: ['quota_reservations', 'quota_creators'], forSchema: reservationsProjection },
  };
}

type Ident = ReturnType<typeof sql.id>;

async function applyOne(trx: AnyTrx, s: Ident, event: CreatorQuotaEvent): Promise<void> {
  switch (event.type) {
    case 'QuotaReserved': {
      const d = event.data;
      // A share whose reservation was released may reserve again: the new one replaces the row.
      await sql`insert into ${s}.quota_reservations
          (share_id, reservation_id, open_id, account_id, mode, status, reserved_at, counted_from, ended_at, release_reason)
        values (${d.shareId}, ${d.reservationId}, ${d.openId}, ${d.accountId}, ${d.mode}, 'reserved', ${d.reservedAt}, ${d.reservedAt}, null, null)
        on conflict (share_id) do update set reservation_id = excluded.reservation_id, open_id = excluded.open_id,
          account_id = excluded.account_id, mode = excluded.mode, status = 'reserved', reserved_at = excluded.reserved_at,
          counted_from = excluded.counted_from, ended_at = null, release_reason = null`.execute(trx);
      return;
    }
    case 'QuotaReleased':
      await sql`update ${s}.quota_reservations set status = 'released', ended_at = ${event.data.releasedAt}, release_reason = ${event.data.reason}
        where share_id = ${event.data.shareId} and reservation_id = ${event.data.reservationId}`.execute(trx);
      return;
    case 'ReservationConsumed':
      await sql`update ${s}.quota_reservations set status = 'consumed', counted_from = ${event.data.consumedAt}, ended_at = ${event.data.consumedAt}
        where share_id = ${event.data.shareId} and reservation_id = ${event.data.reservationId}`.execute(trx);
      return;
    case 'CreatorExhausted': {
      const daily = event.data.kind === 'daily' ? event.data.until : null;
      const drafts = event.data.kind === 'drafts' ? event.data.until : null;
      await sql`insert into ${s}.quota_creators (open_id, daily_exhausted_until, drafts_exhausted_until)
        values (${event.data.openId}, coalesce(${daily}::timestamptz, 'epoch'), coalesce(${drafts}::timestamptz, 'epoch'))
        on conflict (open_id) do update set
          daily_exhausted_until = greatest(${s}.quota_creators.daily_exhausted_until, excluded.daily_exhausted_until),
          drafts_exhausted_until = greatest(${s}.quota_creators.drafts_exhausted_until, excluded.drafts_exhausted_until)`.execute(trx);
      return;
    }
    case 'QuotaRejected':
      return;
    default: {
      const never: never = event;
      return never;
    }
  }
}
