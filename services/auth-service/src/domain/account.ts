/**
 * The TikTok account aggregate: one stream per (platform user, TikTok open_id) connection,
 * stream id `account-<accountId>`. Its events are the truth for everything except the tokens
 * themselves, which live encrypted in a private table (events carry only expiries).
 */

import type { EventData } from '@tiktok-share/contracts/catalogue.ts';

// Event data types come from libs/contracts (never written twice); the aggregate always records
// the token expiries and the connection time, which the public contract leaves optional.
export type DisconnectReason = EventData<'AccountDisconnected'>['reason'];
export type AccountConnectedData = EventData<'AccountConnected'> & { accessExpiresAt: string; refreshExpiresAt: string; connectedAt: string };
export type AccountTokenRefreshedData = EventData<'AccountTokenRefreshed'>;
export type AccountDisconnectedData = EventData<'AccountDisconnected'>;

export type AccountEvent =
  | { type: 'AccountConnected'; data: AccountConnectedData }
  | { type: 'AccountTokenRefreshed'; data: AccountTokenRefreshedData }
  | { type: 'AccountDisconnected'; data: AccountDisconnectedData };

export type AccountEventType = AccountEvent['type'];
export const ACCOUNT_EVENT_TYPES: readonly AccountEventType[] = ['AccountConnected', 'AccountTokenRefreshed', 'AccountDisconnected'];

type Profile = Pick<AccountConnectedData, 'accountId' | 'userId' | 'openId' | 'displayName' | 'avatarUrl' | 'scopes' | 'connectedAt'>;

export type AccountState =
  | { status: 'none' }
  | (Profile & { status: 'connected'; accessExpiresAt: string; refreshExpiresAt: string })
  | (Profile & { status: 'reauthorization_required' | 'disconnected'; reason: DisconnectReason });

export function initialAccountState(): AccountState {
  return { status: 'none' };
}

/** `refresh_failed` leaves the account visible as needing a new consent; every other reason ends it. */
export function statusAfterDisconnect(reason: DisconnectReason): 'reauthorization_required' | 'disconnected' {
  return reason === 'refresh_failed' ? 'reauthorization_required' : 'disconnected';
}

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  switch (event.type) {
    case 'AccountConnected': {
      const { accountId, userId, openId, displayName, avatarUrl, scopes, connectedAt, accessExpiresAt, refreshExpiresAt } = event.data;
      return { status: 'connected', accountId, userId, openId, displayName, avatarUrl, scopes, connectedAt, accessExpiresAt, refreshExpiresAt };
    }
    case 'AccountTokenRefreshed':
      if (state.status !== 'connected') return state;
      return { ...state, accessExpiresAt: event.data.accessExpiresAt, refreshExpiresAt: event.data.refreshExpiresAt };
    case 'AccountDisconnected': {
      if (state.status === 'none') return state;
      const { accountId, userId, openId, displayName, avatarUrl, scopes, connectedAt } = state;
      const profile = { accountId, userId, openId, displayName, avatarUrl, scopes, connectedAt };
      return { ...profile, status: statusAfterDisconnect(event.data.reason), reason: event.data.reason };
    }
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** Stream id of an account. */
export function accountStreamId(accountId: string): string {
  return `account-${accountId}`;
}
