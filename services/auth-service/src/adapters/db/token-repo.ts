/** Repository of the private `account_tokens` table: ciphertexts and expiries only. */
import type { AnyDb, AnyTrx } from '@tiktok-share/eventstore/types.ts';

export interface TokenRow {
  accountId: string;
  openId: string;
  accessTokenEnc: string;
  refreshTokenEnc: string;
  accessIssuedAt: Date;
  accessExpiresAt: Date;
  refreshExpiresAt: Date;
  generation: number;
}

interface Raw {
  account_id: string;
  open_id: string;
  access_token_enc: string;
  refresh_token_enc: string;
  access_issued_at: Date | string;
  access_expires_at: Date | string;
  refresh_expires_at: Date | string;
  generation: number;
}

function toRow(r: Raw): TokenRow {
  return {
    accountId: r.account_id,
    openId: r.open_id,
    accessTokenEnc: r.access_token_enc,
    refreshTokenEnc: r.refresh_token_enc,
    accessIssuedAt: new Date(r.access_issued_at),
    accessExpiresAt: new Date(r.access_expires_at),
    refreshExpiresAt: new Date(r.refresh_expires_at),
    generation: Number(r.generation),
  };
}

/** Read the token row; `forUpdate` row-locks it for the rest of the transaction. */
export async function findTokens(db: AnyDb | AnyTrx, schema: string, accountId: string, forUpdate = false): Promise<TokenRow | undefined> {
  let q = db.withSchema(schema).selectFrom('account_tokens').selectAll().where('account_id', '=', accountId);
  if (forUpdate) q = q.forUpdate();
  const r = (await q.executeTakeFirst()) as Raw | undefined;
  return r ? toRow(r) : undefined;
}

/** The account's owner, status and scopes (accounts read model) with its token row, in one round trip. */
export interface AccountTokens {
  userId: string;
  status: string;
  scopes: string[];
  tokens: TokenRow | undefined;
}

/** One query for the token hot path (every TikTok call asks for a token): undefined = no such account. */
interface AccountCols {
  account_user_id: string;
  account_status: string;
  account_scopes: string[] | string;
}

export async function findAccountTokens(db: AnyDb, schema: string, accountId: string): Promise<AccountTokens | undefined> {
  const r = (await db
    .withSchema(schema)
    .selectFrom('accounts as a')
    .leftJoin('account_tokens as t', 't.account_id', 'a.account_id')
    .select([
      'a.user_id as account_user_id', 'a.status as account_status', 'a.scopes as account_scopes', 't.account_id', 't.open_id', 't.access_token_enc', 't.refresh_token_enc',
      't.access_issued_at', 't.access_expires_at', 't.refresh_expires_at', 't.generation',
    ])
    .where('a.account_id', '=', accountId)
    .executeTakeFirst()) as (Partial<Raw> & AccountCols) | undefined;
  if (!r) return undefined;
  const scopes = typeof r.account_scopes === 'string' ? (JSON.parse(r.account_scopes) as string[]) : r.account_scopes;
  return { userId: r.account_user_id, status: r.account_status, scopes, tokens: r.account_id ? toRow(r as Raw) : undefined };
}

/**
 * Insert or replace the tokens of an account, bumping `generation` (the generation tells a
 * concurrent refresher that the refresh token it used is no longer the current one).
 */
export async function saveTokens(trx: AnyTrx, schema: string, row: Omit<TokenRow, 'generation'>, now: Date): Promise<number> {
  const values = {
    account_id: row.accountId,
    open_id: row.openId,
    access_token_enc: row.accessTokenEnc,
    refresh_token_enc: row.refreshTokenEnc,
    access_issued_at: row.accessIssuedAt,
    access_expires_at: row.accessExpiresAt,
    refresh_expires_at: row.refreshExpiresAt,
    generation: 1,
    updated_at: now,
  };
  const { generation: _g, account_id: _a, ...update } = values;
  const r = (await trx
    .withSchema(schema)
    .insertInto('account_tokens')
    .values(values)
    .onConflict((oc) => oc.column('account_id').doUpdateSet((eb) => ({ ...update, generation: eb('account_tokens.generation', '+', 1) })))
    .returning('generation')
    .executeTakeFirstOrThrow()) as { generation: number };
  return Number(r.generation);
}

/** Re-encryption under the current key (same tokens, same generation). */
export async function reencryptTokens(db: AnyDb | AnyTrx, schema: string, accountId: string, generation: number, enc: { access: string; refresh: string }): Promise<void> {
  await db
    .withSchema(schema)
    .updateTable('account_tokens')
    .set({ access_token_enc: enc.access, refresh_token_enc: enc.refresh })
    .where('account_id', '=', accountId)
    .where('generation', '=', generation)
    .execute();
}

/** A connection that ended keeps no credentials. */
export async function deleteTokens(trx: AnyTrx, schema: string, accountId: string): Promise<void> {
  await trx.withSchema(schema).deleteFrom('account_tokens').where('account_id', '=', accountId).execute();
}
