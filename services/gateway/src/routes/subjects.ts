/** RPC subjects used by the gateway, taken from libs/contracts (the single source of truth). */
import type { ServiceName } from '@tiktok-share/contracts/common.ts';
import * as rpc from '@tiktok-share/contracts/rpc.ts';

export const rpcSubjects = {
  authStart: rpc.authStart.subject,
  authCallback: rpc.authCallback.subject,
  accountsList: rpc.authAccountsList.subject,
  accountsGet: rpc.authAccountsGet.subject,
  accountsDisconnect: rpc.authAccountsDisconnect.subject,
  authWebhook: rpc.authWebhook.subject,
  quotaStatus: rpc.quotaStatus.subject,
  creatorInfo: rpc.publisherCreatorInfo.subject,
  sharesCreate: rpc.publisherSharesCreate.subject,
  sharesGet: rpc.publisherSharesGet.subject,
  sharesList: rpc.publisherSharesList.subject,
  publisherWebhook: rpc.publisherWebhook.subject,
} as const;

export const services: readonly ServiceName[] = ['auth', 'quota', 'publisher'];

type ServiceOp = 'admin.events' | 'admin.audit' | 'admin.rebuild' | 'admin.rebuild-status' | 'health';

/** `tiktok.rpc.<svc>.admin.<op>` and `tiktok.rpc.<svc>.health`. */
export function serviceSubject(service: ServiceName, op: ServiceOp): string {
  const ops = rpc.adminRpc(service);
  switch (op) {
    case 'admin.events': return ops.events.subject;
    case 'admin.audit': return ops.audit.subject;
    case 'admin.rebuild': return ops.rebuild.subject;
    case 'health': return ops.health.subject;
    // Not (yet) in libs/contracts: progress of a running rebuild, used by the replay CLI.
    case 'admin.rebuild-status': return `tiktok.rpc.${service}.admin.rebuild-status`;
    default: { const never: never = op; return never; }
  }
}
