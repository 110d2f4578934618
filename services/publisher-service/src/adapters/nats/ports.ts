/**
 * The publisher's view of auth-service and quota-service: typed calls over NATS request/reply
 * (schemas in libs/contracts/src/rpc.ts). Errors arrive as AppError with the responder's code.
 */
import { callRpc } from '@tiktok-share/messaging/rpc.ts';
import type { Bus } from '@tiktok-share/messaging/port.ts';
import {
  authAccountsGet, authToken, quotaAcquire, quotaExhausted, quotaRelease, quotaReserve, type RpcOutput,
} from '@tiktok-share/contracts/rpc.ts';

export type FreshToken = RpcOutput<typeof authToken>;
export type RateEndpoint = 'video_init' | 'inbox_init' | 'creator_info' | 'status';

export interface Ports {
  getAccount(userId: string, accountId: string): Promise<RpcOutput<typeof authAccountsGet>>;
  /** `forceRefresh`: TikTok rejected the last token (e.g. expired early); ask auth for a new one. */
  getToken(accountId: string, forceRefresh?: boolean): Promise<FreshToken>;
  reserve(input: { shareId: string; accountId: string; openId: string; mode: 'direct' | 'draft' }): Promise<RpcOutput<typeof quotaReserve>>;
  release(shareId: string, reason: string): Promise<void>;
  acquire(tokenKey: string, endpoint: RateEndpoint): Promise<RpcOutput<typeof quotaAcquire>>;
  exhausted(openId: string, code: 'spam_risk_too_many_posts' | 'spam_risk_too_many_pending_share'): Promise<void>;
}

export function createNatsPorts(bus: Bus, timeoutMs = 10_000): Ports {
  const o = { timeoutMs };
  return {
    getAccount: (userId, accountId) => callRpc(bus, authAccountsGet.subject, { userId, accountId }, authAccountsGet.output, o),
    getToken: (accountId, forceRefresh) =>
      callRpc(bus, authToken.subject, forceRefresh ? { accountId, forceRefresh: true } : { accountId }, authToken.output, o),
    reserve: (input) => callRpc(bus, quotaReserve.subject, input, quotaReserve.output, o),
    release: async (shareId, reason) => { await callRpc(bus, quotaRelease.subject, { shareId, reason }, quotaRelease.output, o); },
    acquire: (tokenKey, endpoint) => callRpc(bus, quotaAcquire.subject, { tokenKey, endpoint }, quotaAcquire.output, o),
    exhausted: async (openId, code) => { await callRpc(bus, quotaExhausted.subject, { openId, code }, quotaExhausted.output, o); },
  };
}
