import { describe, expect, it } from 'vitest';
import { evolveAccount, initialAccountState, type AccountEvent } from './account.ts';
import { decideAccount, type AccountCommand } from './account.decide.ts';
import { AccountError } from './account.errors.ts';

/** given(events).when(command).then(events | error) */
function given(...events: AccountEvent[]) {
  const state = events.reduce(evolveAccount, initialAccountState());
  return {
    when: (command: AccountCommand) => ({
      then: (expected: AccountEvent[]) => expect(decideAccount(command, state)).toEqual(expected),
      thenThrows: (code: string) => {
        let caught: unknown;
        try {
          decideAccount(command, state);
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(AccountError);
        expect((caught as AccountError).code).toBe(code);
      },
    }),
  };
}

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T01:00:00.000Z';
const profile = { accountId: 'acc_1', userId: 'u1', openId: 'o1', displayName: 'Alice', avatarUrl: 'https://a/x.png', scopes: ['user.info.basic', 'video.publish'] };
const expiries = { accessExpiresAt: '2026-01-01T02:00:00.000Z', refreshExpiresAt: '2026-07-01T00:00:00.000Z' };
const connect: AccountCommand = { type: 'ConnectAccount', ...profile, ...expiries, previousUserId: null, at: T0 };
const connected: AccountEvent = { type: 'AccountConnected', data: { ...profile, ...expiries, previousUserId: null, connectedAt: T0 } };
const disconnected = (reason: 'user' | 'refresh_failed' | 'revoked_at_tiktok' | 'connected_elsewhere'): AccountEvent => ({
  type: 'AccountDisconnected',
  data: { accountId: 'acc_1', userId: 'u1', openId: 'o1', reason },
});

describe('ConnectAccount', () => {
  it('connects a new account', () => given().when(connect).then([connected]));
  it('reconnects the same user and open_id on the same account', () =>
    given(connected, disconnected('user')).when({ ...connect, displayName: 'Alice 2', at: T1 }).then([
      { type: 'AccountConnected', data: { ...profile, ...expiries, displayName: 'Alice 2', previousUserId: null, connectedAt: T1 } },
    ]));
  it('refuses another user on the same account stream', () => given(connected).when({ ...connect, userId: 'u2' }).thenThrows('account_owner_mismatch'));
  it('refuses another open_id on the same account stream', () => given(connected).when({ ...connect, openId: 'o2' }).thenThrows('account_owner_mismatch'));
});

describe('RecordTokenRefresh', () => {
  const cmd: AccountCommand = { type: 'RecordTokenRefresh', accessExpiresAt: '2026-01-01T03:00:00.000Z', refreshExpiresAt: '2026-08-01T00:00:00.000Z' };
  it('records new expiries only', () =>
    given(connected).when(cmd).then([{ type: 'AccountTokenRefreshed', data: { accountId: 'acc_1', accessExpiresAt: cmd.accessExpiresAt, refreshExpiresAt: cmd.refreshExpiresAt } }]));
  it('refuses a disconnected account', () => given(connected, disconnected('user')).when(cmd).thenThrows('account_not_connected'));
  it('refuses an unknown account', () => given().when(cmd).thenThrows('account_not_connected'));
});

describe('DisconnectAccount', () => {
  it('disconnects with the reason', () => given(connected).when({ type: 'DisconnectAccount', reason: 'user' }).then([disconnected('user')]));
  it('is idempotent once disconnected', () =>
    given(connected, disconnected('revoked_at_tiktok')).when({ type: 'DisconnectAccount', reason: 'revoked_at_tiktok' }).then([]));
  it('does not repeat a failed refresh', () =>
    given(connected, disconnected('refresh_failed')).when({ type: 'DisconnectAccount', reason: 'refresh_failed' }).then([]));
  it('lets the user end an account awaiting reauthorization', () =>
    given(connected, disconnected('refresh_failed')).when({ type: 'DisconnectAccount', reason: 'user' }).then([disconnected('user')]));
  it('refuses an unknown account', () => given().when({ type: 'DisconnectAccount', reason: 'user' }).thenThrows('account_not_found'));
});

describe('evolve', () => {
  it('refresh_failed leaves the account awaiting reauthorization, other reasons end it', () => {
    const s1 = [connected, disconnected('refresh_failed')].reduce(evolveAccount, initialAccountState());
    expect(s1.status).toBe('reauthorization_required');
    const s2 = [connected, disconnected('connected_elsewhere')].reduce(evolveAccount, initialAccountState());
    expect(s2.status).toBe('disconnected');
  });
  it('a refresh updates the expiries', () => {
    const s = [connected, { type: 'AccountTokenRefreshed', data: { accountId: 'acc_1', accessExpiresAt: 'x', refreshExpiresAt: 'y' } } as AccountEvent].reduce(evolveAccount, initialAccountState());
    expect(s).toMatchObject({ status: 'connected', accessExpiresAt: 'x', refreshExpiresAt: 'y' });
  });
});
