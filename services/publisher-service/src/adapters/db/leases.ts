/**
 * Leases on `share_work`: one worker per share, many shares across instances. A claim takes the
 * oldest free row with `FOR UPDATE SKIP LOCKED` (claimers never wait on each other) and sets the
 * lease; the holder renews it while working. A crashed worker's lease simply runs out.
 */
import { sql } from 'kysely';
import type { AnyDb } from '@tiktok-share/eventstore/types.ts';

export async function claimShare(db: AnyDb, schema: string, owner: string, leaseMs: number): Promise<string | null> {
  const t = sql`${sql.id(schema)}.share_work`;
  const { rows } = await sql<{ share_id: string }>`
    update ${t} set lease_owner = ${owner}, lease_until = now() + ${leaseMs} * interval '1 millisecond'
    where share_id = (
      select share_id from ${t} where lease_until < now() and not_before <= now()
      order by created_at limit 1 for update skip locked)
    returning share_id`.execute(db);
  return rows[0]?.share_id ?? null;
}

/** True while `owner` still holds the lease (and extends it). */
export async function renewLease(db: AnyDb, schema: string, shareId: string, owner: string, leaseMs: number): Promise<boolean> {
  const r = await sql`update ${sql.id(schema)}.share_work set lease_until = now() + ${leaseMs} * interval '1 millisecond'
    where share_id = ${shareId} and lease_owner = ${owner} and lease_until > now()`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/** Gives the share back; `retryInMs` delays the next claim (transient trouble). */
export async function releaseLease(db: AnyDb, schema: string, shareId: string, owner: string, retryInMs = 0): Promise<void> {
  await sql`update ${sql.id(schema)}.share_work set lease_owner = null, lease_until = '-infinity',
      not_before = now() + ${retryInMs} * interval '1 millisecond'
    where share_id = ${shareId} and lease_owner = ${owner}`.execute(db);
}
