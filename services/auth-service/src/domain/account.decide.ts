/**
 * Pure decider of the account aggregate: time and ids arrive in the command.
 */
import type { AccountConnectedData, AccountEvent, AccountState, DisconnectReason } from './account.ts';
import { AccountError } from './account.errors.ts';

export type AccountCommand =
  /** The event's data less `connectedAt`, which the decider sets from `at`. */
  | ({ type: 'ConnectAccount'; previousUserId: string | null; at: string } & Omit<AccountConnectedData, 'connectedAt' | 'previousUserId'>)
  | { type: 'RecordTokenRefresh'; accessExpiresAt: string; refreshExpiresAt: string }
  | { type: 'DisconnectAccount'; reason: DisconnectReason };

export function decideAccount(command: AccountCommand, state: AccountState): AccountEvent[] {
  switch (command.type) {
    case 'ConnectAccount':
      return connect(command, state);
    case 'RecordTokenRefresh':
      return recordRefresh(command, state);
    case 'DisconnectAccount':
      return disconnect(command, state);
    default: {
      const never: never = command;
      return never;
    }
  }
}

/** A (re)connection of the same user and open_id keeps the account id; anything else is a bug upstream. */
function connect(cmd: Extract<AccountCommand, { type: 'ConnectAccount' }>, state: AccountState): AccountEvent[] {
  if (state.status !== 'none' && (state.userId !== cmd.userId || state.openId !== cmd.openId)) {
    throw new AccountError('account_owner_mismatch', 'account belongs to another user or TikTok identity');
  }
  const { type: _type, at, ...data } = cmd;
  return [{ type: 'AccountConnected', data: { ...data, connectedAt: at } }];
}

function recordRefresh(cmd: Extract<AccountCommand, { type: 'RecordTokenRefresh' }>, state: AccountState): AccountEvent[] {
  if (state.status !== 'connected') throw new AccountError('account_not_connected', 'account is not connected');
  return [{ type: 'AccountTokenRefreshed', data: { accountId: state.accountId, accessExpiresAt: cmd.accessExpiresAt, refreshExpiresAt: cmd.refreshExpiresAt } }];
}

/**
 * Idempotent: a connection that already ended produces nothing (duplicate webhooks, retried
 * deletes). An account awaiting reauthorization can still be ended for good by any reason but
 * another failed refresh.
 */
function disconnect(cmd: Extract<AccountCommand, { type: 'DisconnectAccount' }>, state: AccountState): AccountEvent[] {
  if (state.status === 'none') throw new AccountError('account_not_found', 'account not found');
  if (state.status === 'disconnected') return [];
  if (state.status === 'reauthorization_required' && cmd.reason === 'refresh_failed') return [];
  const { accountId, userId, openId } = state;
  return [{ type: 'AccountDisconnected', data: { accountId, userId, openId, reason: cmd.reason } }];
}
