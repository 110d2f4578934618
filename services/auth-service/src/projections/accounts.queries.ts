/** Reads of the `accounts` read model (DESIGN §5 account shape). */
import type { AnyDb, AnyTrx } from '@tiktok-share/eventstore/types.ts';

export type AccountViewStatus = 'connected' | 'reauthorization_required' | 'disconnected';

export interface AccountView {
  accountId: string;
  userId: string;
  openId: string;
  displayName: string;
  avatarUrl: string | null;
  scopes: string[];
  status: AccountViewStatus;
  connectedAt: string;
}

interface Raw {
  account_id: string;
  user_id: string;
  open_id: string;
  display_name: string;
  avatar_url: string | null;
  scopes: string[] | string;
  status: AccountViewStatus;
  connected_at: Date | string;
}

function toView(r: Raw): AccountView {
  return {
    accountId: r.account_id,
    userId: r.user_id,
    openId: r.open_id,
    displayName: r.display_name,
    avatarUrl: r.avatar_url,
    scopes: typeof r.scopes === 'string' ? (JSON.parse(r.scopes) as string[]) : r.scopes,
    status: r.status,
    connectedAt: new Date(r.connected_at).toISOString(),
  };
}

export async function findAccount(db: AnyDb | AnyTrx, schema: string, accountId: string): Promise<AccountView | undefined> {
  const r = (await db.withSchema(schema).selectFrom('accounts').selectAll().where('account_id', '=', accountId).executeTakeFirst()) as Raw | undefined;
  return r ? toView(r) : undefined;
}

/** Every account of a user, oldest connection first (disconnected ones included, per DESIGN §5 status). */
export async function listAccounts(db: AnyDb, schema: string, userId: string): Promise<AccountView[]> {
  const rows = (await db.withSchema(schema).selectFrom('accounts').selectAll().where('user_id', '=', userId).orderBy('connected_at').orderBy('account_id').execute()) as Raw[];
  return rows.map(toView);
}

/** All connections of an open_id (at most one is live; older ones are history). */
export async function findByOpenId(db: AnyDb | AnyTrx, schema: string, openId: string): Promise<AccountView[]> {
  const rows = (await db.withSchema(schema).selectFrom('accounts').selectAll().where('open_id', '=', openId).execute()) as Raw[];
  return rows.map(toView);
}
