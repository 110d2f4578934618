/** Repository of `oauth_states`: hashed, single-use OAuth states. */
import type { AnyDb } from '@tiktok-share/eventstore/types.ts';

export interface StoredState {
  userId: string;
  returnTo: string;
  expiresAt: Date;
}

export async function insertState(db: AnyDb, schema: string, stateHash: string, s: StoredState, now: Date): Promise<void> {
  await db
    .withSchema(schema)
    .insertInto('oauth_states')
    .values({ state_hash: stateHash, user_id: s.userId, return_to: s.returnTo, expires_at: s.expiresAt, created_at: now })
    .execute();
}

/**
 * Single use, atomically: the DELETE … RETURNING hands the row to exactly one caller even when
 * the same callback arrives twice at once; the loser sees nothing and reports invalid_state.
 */
export async function consumeState(db: AnyDb, schema: string, stateHash: string): Promise<StoredState | undefined> {
  const r = (await db
    .withSchema(schema)
    .deleteFrom('oauth_states')
    .where('state_hash', '=', stateHash)
    .returning(['user_id', 'return_to', 'expires_at'])
    .executeTakeFirst()) as { user_id: string; return_to: string; expires_at: Date | string } | undefined;
  return r ? { userId: r.user_id, returnTo: r.return_to, expiresAt: new Date(r.expires_at) } : undefined;
}

/** Housekeeping: states expired before `before` can never be used. */
export async function purgeExpiredStates(db: AnyDb, schema: string, before: Date): Promise<void> {
  await db.withSchema(schema).deleteFrom('oauth_states').where('expires_at', '<', before).execute();
}
