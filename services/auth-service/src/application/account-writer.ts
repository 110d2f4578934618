/**
 * Runs one account command inside the caller's transaction: lock the account (one writer per
 * account across instances), fold its stream in the same transaction, decide, append with the
 * expected version. Public events only; the outbox relay publishes them.
 */
import type { AnyTrx } from '@tiktok-share/eventstore/types.ts';
import { accountStreamId, evolveAccount, initialAccountState, type AccountEvent, type AccountState } from '../domain/account.ts';
import { decideAccount, type AccountCommand } from '../domain/account.decide.ts';
import { lockAccount } from '../adapters/db/locks.ts';
import type { AuthContext } from './context.ts';

export async function loadAccount(ctx: AuthContext, trx: AnyTrx, accountId: string): Promise<{ state: AccountState; version: number }> {
  return ctx.store.aggregate<AccountState>(
    accountStreamId(accountId),
    (s, e) => evolveAccount(s, { type: e.type, data: e.data } as AccountEvent),
    initialAccountState(),
    { trx },
  );
}

/** Lock, load, decide, append. Returns the new events (empty when the command changed nothing). */
export async function executeOnAccount(
  ctx: AuthContext,
  trx: AnyTrx,
  accountId: string,
  command: AccountCommand,
  meta: { correlationId?: string; causationId?: string } = {},
): Promise<{ events: AccountEvent[]; state: AccountState }> {
  await lockAccount(trx, ctx.schema, accountId);
  const { state, version } = await loadAccount(ctx, trx, accountId);
  const events = decideAccount(command, state);
  if (events.length === 0) return { events, state };
  await ctx.store.append(
    accountStreamId(accountId),
    events.map((e) => ({ type: e.type, data: e.data, public: true, metadata: { ...meta, occurredAt: ctx.now().toISOString() } })),
    { expectedVersion: version === 0 ? 'no_stream' : version, trx },
  );
  return { events, state: events.reduce(evolveAccount, state) };
}
