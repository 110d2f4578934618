/**
 * Cross-instance serialisation with transaction-scoped advisory locks (released at commit or
 * rollback, so a crashed instance never leaves one behind). Lock order is always
 * open_id lock → account lock, and at most one account lock is waited for while holding another
 * only under the open_id lock, so two transactions can't wait on each other in a cycle.
 */
import { sql } from 'kysely';
import type { AnyTrx } from '@tiktok-share/eventstore/types.ts';

async function lock(trx: AnyTrx, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}

/** Every write to an account (connect, refresh, disconnect) holds this: one writer per account. */
export function lockAccount(trx: AnyTrx, schema: string, accountId: string): Promise<void> {
  return lock(trx, `auth-account:${schema}:${accountId}`);
}

/** Held while deciding which account an open_id belongs to (connect, webhook). */
export function lockOpenId(trx: AnyTrx, schema: string, openId: string): Promise<void> {
  return lock(trx, `auth-open:${schema}:${openId}`);
}
