/** The use cases of the auth service behind one object (what the responders and tests call). */
import type { RebuildRunner, RebuildStatus } from '@tiktok-share/eventstore';
import { notFound } from '@tiktok-share/platform/errors.ts';
import { findAccount, listAccounts, type AccountView } from '../projections/accounts.queries.ts';
import { completeAuthorization, type CallbackInput } from './complete-authorization.ts';
import type { AuthContext } from './context.ts';
import { disconnectAccount } from './disconnect.ts';
import { createTokenService } from './get-fresh-token.ts';
import { onWebhook, type TikTokWebhookInput } from './on-webhook.ts';
import { startAuthorization, type StartAuthorizationInput } from './start-authorization.ts';

/** The public account shape (DESIGN §5): no userId. */
function publicView(a: AccountView) {
  const { userId: _u, ...rest } = a;
  return rest;
}

/** `rebuilds`: the runner behind `admin.rebuild` too (libs/eventstore admin.ts), so both share one slot. */
export function createAuthUseCases(ctx: AuthContext, rebuilds: RebuildRunner) {
  const tokens = createTokenService(ctx);
  return {
    authorize: (i: StartAuthorizationInput) => startAuthorization(ctx, i),
    callback: (i: CallbackInput) => completeAuthorization(ctx, i),
    listAccounts: async (i: { userId: string }) => ({ accounts: (await listAccounts(ctx.store.db, ctx.schema, i.userId)).map(publicView) }),
    getAccount: async (i: { userId: string; accountId: string }) => {
      const a = await findAccount(ctx.store.db, ctx.schema, i.accountId);
      if (!a || a.userId !== i.userId) throw notFound('Account not found');
      return publicView(a);
    },
    disconnect: (i: { userId: string; accountId: string }) => disconnectAccount(ctx, tokens.getFreshToken, i),
    /**
     * `rejectedAccessTokenSha256`: see get-fresh-token.ts (forced refresh). `userId`: ownership is
     * checked too, and the reply echoes it with `status` (the caller's proof that it was checked).
     */
    token: async (accountId: string, rejectedAccessTokenSha256?: string, userId?: string) => {
      const t = await tokens.getFreshToken(accountId, rejectedAccessTokenSha256, userId);
      return userId === undefined ? t : { ...t, userId, status: 'connected' as const };
    },
    /** `dedupeId`: the gateway's `webhook-dedupe-id` header (the inbox key). */
    webhook: (w: TikTokWebhookInput, dedupeId?: string) => onWebhook(ctx, w, dedupeId),
    /** Rebuild of the accounts read model in the background; `done` rejects with 409 `rebuild_in_progress` if one runs. */
    rebuild: (): { started: true; done: Promise<RebuildStatus> } => ({ started: true, done: rebuilds.start().then((r) => r.done) }),
  };
}

export type AuthService = ReturnType<typeof createAuthUseCases>;
