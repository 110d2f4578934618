/**
 * The publisher's view of auth-service and quota-service: typed calls over NATS request/reply
 * (schemas in libs/contracts/src/rpc.ts). Errors arrive as AppError with the responder's code.
 */
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import type { Bus } from '@tiktok-share/messaging/port.ts';
import {
  accessTokenFingerprint, authAccountsGet, authToken, quotaAcquire, quotaExhausted, quotaRelease, quotaReserve, type RpcOutput,
} from '@tiktok-share/contracts/rpc.ts';

export type FreshToken = RpcOutput<typeof authToken>;
export type RateEndpoint = 'video_init' | 'inbox_init' | 'creator_info' | 'status';

export interface Ports {
  getAccount(userId: string, accountId: string): Promise<RpcOutput<typeof authAccountsGet>>;
  /**
   * `rejectedAccessToken`: TikTok answered 401 for this token (e.g. invalidated before its announced
   * expiry); auth refreshes if it is still the current one. Only its sha256 crosses the bus.
   */
  getToken(accountId: string, rejectedAccessToken?: string): Promise<FreshToken>;
  /**
   * The token with auth's ownership check (404 foreign/unknown, 409 not connected) in ONE round
   * trip. The reply's `userId` is set only if auth did check (an older auth ignores the field).
   */
  getOwnedToken(userId: string, accountId: string): Promise<FreshToken>;
  reserve(input: { shareId: string; accountId: string; openId: string; mode: 'direct' | 'draft' }): Promise<RpcOutput<typeof quotaReserve>>;
  release(shareId: string, reason: string): Promise<void>;
  /** `openId` keys the window by creator, so `quota.status` can show it (GET /tiktok/quota). */
  acquire(tokenKey: string, endpoint: RateEndpoint, openId: string): Promise<RpcOutput<typeof quotaAcquire>>;
  exhausted(openId: string, code: 'spam_risk_too_many_posts' | 'spam_risk_too_many_pending_share'): Promise<void>;
}

export function createNatsPorts(bus: Bus, timeoutMs = 10_000): Ports {
  const o = { timeoutMs };
  return {
    getAccount: (userId, accountId) => callRpc(bus, authAccountsGet.subject, { userId, accountId }, authAccountsGet.output, o),
    getToken: (accountId, rejected) =>
      callRpc(bus, authToken.subject, rejected ? { accountId, rejectedAccessTokenSha256: accessTokenFingerprint(rejected) } : { accountId }, authToken.output, o),
    getOwnedToken: (userId, accountId) => callRpc(bus, authToken.subject, { accountId, userId }, authToken.output, o),
    reserve: (input) => callRpc(bus, quotaReserve.subject, input, quotaReserve.output, o),
    release: async (shareId, reason) => { await callRpc(bus, quotaRelease.subject, { shareId, reason }, quotaRelease.output, o); },
    acquire: (tokenKey, endpoint, openId) => callRpc(bus, quotaAcquire.subject, { tokenKey, endpoint, openId }, quotaAcquire.output, o),
    exhausted: async (openId, code) => { await callRpc(bus, quotaExhausted.subject, { openId, code }, quotaExhausted.output, o); },
  };
}
