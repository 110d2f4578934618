/** Reads of the ledger read model (quota_reservations, quota_creators). */
import { sql } from 'kysely';
import type { AnyDb, AnyTrx } from '@tiktok-share/eventstore';
import { DAY_MS, type CreatorQuotaState, type Reservation, type ShareMode } from '../domain/creator-quota.ts';

type Db = AnyDb | AnyTrx;

interface ReservationRow {
  share_id: string;
  reservation_id: string;
  open_id: string;
  mode: ShareMode;
  status: Reservation['status'];
  reserved_at: Date | string;
  counted_from: Date | string;
  ended_at: Date | string | null;
}

/** pg and PGlite both parse timestamptz to Date; accept strings too in case a driver does not. */
function ms(v: Date | string): number {
  return v instanceof Date ? v.getTime() : Date.parse(v);
}

export interface ReservationRef {
  shareId: string;
  openId: string;
  mode: ShareMode;
  status: Reservation['status'];
}

/** The latest reservation of a share (which creator's stream it lives in). */
export async function findReservation(db: Db, schema: string, shareId: string): Promise<ReservationRef | null> {
  const { rows } = await sql<ReservationRow>`select * from ${sql.id(schema)}.quota_reservations where share_id = ${shareId}`.execute(db);
  const r = rows[0];
  return r ? { shareId: r.share_id, openId: r.open_id, mode: r.mode, status: r.status } : null;
}

/** Unconsumed reservations taken at or before `reservedBefore`, oldest first. */
export async function reservationsDueForExpiry(db: Db, schema: string, reservedBefore: Date, limit: number): Promise<{ shareId: string; openId: string }[]> {
  const { rows } = await sql<ReservationRow>`select share_id, open_id from ${sql.id(schema)}.quota_reservations
    where status = 'reserved' and reserved_at <= ${reservedBefore.toISOString()} order by reserved_at limit ${limit}`.execute(db);
  return rows.map((r) => ({ shareId: r.share_id, openId: r.open_id }));
}

/** The part of a creator's ledger that can count at `at`, shaped as the aggregate state. */
export async function creatorLedger(db: Db, schema: string, openId: string, at: Date): Promise<CreatorQuotaState> {
  const s = sql.id(schema);
  const since = new Date(at.getTime() - DAY_MS).toISOString();
  const { rows } = await sql<ReservationRow>`select * from ${s}.quota_reservations
    where open_id = ${openId} and (status = 'reserved' or (status = 'consumed' and counted_from > ${since}))`.execute(db);
  const creator = (await sql<{ daily_exhausted_until: Date | string; drafts_exhausted_until: Date | string }>`
    select daily_exhausted_until, drafts_exhausted_until from ${s}.quota_creators where open_id = ${openId}`.execute(db)).rows[0];
  const reservations = new Map<string, Reservation>();
  for (const r of rows) {
    reservations.set(r.share_id, {
      reservationId: r.reservation_id,
      shareId: r.share_id,
      mode: r.mode,
      status: r.status,
      reservedAt: ms(r.reserved_at),
      countedFrom: ms(r.counted_from),
      endedAt: r.ended_at === null ? null : ms(r.ended_at),
    });
  }
  return {
    reservations,
    dailyExhaustedUntil: creator ? ms(creator.daily_exhausted_until) : 0,
    draftsExhaustedUntil: creator ? ms(creator.drafts_exhausted_until) : 0,
  };
}
