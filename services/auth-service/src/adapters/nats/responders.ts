/**
 * The auth service's RPC responders (`tiktok.rpc.auth.*`, queue group `auth-service`); the admin and
 * health ops are the shared ones (libs/eventstore admin.ts, wired in app.ts). Domain errors become
 * AppErrors here, so they reach the gateway as problem codes.
 */
import { authAccountsDisconnect, authAccountsGet, authAccountsList, authCallback, authStart, authToken, authWebhook, rpcQueue } from '@tiktok-share/contracts/rpc.ts';
import { idSchema } from '@tiktok-share/contracts/common.ts';
import { serveRpc, type Bus, type BusLogger, type Subscription } from '@tiktok-share/messaging';
import { AppError, notFound } from '@tiktok-share/platform/errors.ts';
import { AccountError } from '../../domain/account.errors.ts';
import type { AuthService } from '../../application/auth-service.ts';

/** The domain's codes with their HTTP status. */
function toAppError(err: unknown): unknown {
  if (!(err instanceof AccountError)) return err;
  return err.code === 'account_not_found' ? notFound('Account not found') : new AppError(err.code, 409, err.message);
}

function guarded<I, O>(fn: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input) => {
    try {
      return await fn(input);
    } catch (err) {
      throw toAppError(err);
    }
  };
}

/** Callback input plus the optional session user (see complete-authorization.ts). */
const callbackInput = authCallback.input.extend({ userId: idSchema.optional() });

export async function startResponders(bus: Bus, service: AuthService, logger: BusLogger): Promise<Subscription[]> {
  const opts = { queue: rpcQueue('auth'), logger };
  return Promise.all([
    serveRpc(bus, authStart.subject, authStart.input, guarded(service.authorize), opts),
    serveRpc(bus, authCallback.subject, callbackInput, guarded(service.callback), opts),
    serveRpc(bus, authAccountsList.subject, authAccountsList.input, guarded(service.listAccounts), opts),
    serveRpc(bus, authAccountsGet.subject, authAccountsGet.input, guarded(service.getAccount), opts),
    serveRpc(bus, authAccountsDisconnect.subject, authAccountsDisconnect.input, guarded(service.disconnect), opts),
    serveRpc(bus, authToken.subject, authToken.input, guarded((i: { accountId: string; rejectedAccessTokenSha256?: string | undefined; userId?: string | undefined }) => service.token(i.accountId, i.rejectedAccessTokenSha256, i.userId)), opts),
    serveRpc(bus, authWebhook.subject, authWebhook.input, (input, rpc) => guarded((i: typeof input) => service.webhook(i, dedupeIdOf(rpc.headers)))(input), opts),
  ]);
}

/** The gateway's `webhook-dedupe-id` RPC header (names compared case-insensitively; sha256 hex only). */
export function dedupeIdOf(headers: Record<string, string>): string | undefined {
  const hit = Object.entries(headers).find(([k]) => k.toLowerCase() === 'webhook-dedupe-id');
  return hit && /^[0-9a-f]{64}$/.test(hit[1]) ? hit[1] : undefined;
}
