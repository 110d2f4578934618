/** OAuth connection and account routes (DESIGN §5); every call carries userId = JWT sub. */
import { z } from 'zod';
import {
  accountListSchema, accountParamsSchema, authCallbackQuerySchema, authUrlQuerySchema, authUrlViewSchema,
  creatorInfoViewSchema,
} from '@tiktok-share/contracts/rest.ts';
import { defineRoute, standardProblems, type RouteSpec } from '../http/route.ts';
import type { RouteDeps } from './deps.ts';
import { rpcSubjects } from './subjects.ts';

const problem = (description: string) => ({ description, contentType: 'application/problem+json' });
const redirectSchema = z.object({ redirectTo: z.string() });

export function accountRoutes(deps: RouteDeps): RouteSpec[] {
  return [
    defineRoute({
      operationId: 'getAuthUrl', method: 'get', path: '/api/v1/tiktok/auth/url', tag: 'accounts', access: 'user',
      summary: 'Start connecting a TikTok account: the TikTok authorize URL with a single-use state (10 min, bound to the user).',
      query: authUrlQuerySchema,
      responses: { ...standardProblems('user'), 200: { description: 'authorize URL', schema: authUrlViewSchema }, 400: problem('validation_failed or invalid_return_to') },
      async handle({ query, principal }, c) {
        return c.json(await deps.rpc(rpcSubjects.authStart, { userId: principal!.userId, returnTo: query.returnTo }, authUrlViewSchema));
      },
    }),
    defineRoute({
      operationId: 'authCallback', method: 'get', path: '/api/v1/tiktok/auth/callback', tag: 'accounts', access: 'public',
      summary: "TikTok's redirect back after consent; the state identifies the user. Always redirects (errors included).",
      query: authCallbackQuerySchema,
      responses: { 302: { description: 'to returnTo with ?tiktok=connected&accountId=… or ?tiktok=error&code=…' } },
      async handle({ query }, c) {
        const input = { state: query.state ?? '', code: query.code, scopes: query.scopes, error: query.error, errorDescription: query.error_description };
        const { redirectTo } = await deps.rpc(rpcSubjects.authCallback, dropUndefined(input), redirectSchema);
        return c.redirect(safeRedirect(redirectTo), 302);
      },
    }),
    defineRoute({
      operationId: 'listAccounts', method: 'get', path: '/api/v1/tiktok/accounts', tag: 'accounts', access: 'user',
      summary: "The caller's connected TikTok accounts.",
      responses: { ...standardProblems('user'), 200: { description: 'accounts', schema: accountListSchema } },
      async handle({ principal }, c) {
        return c.json(await deps.rpc(rpcSubjects.accountsList, { userId: principal!.userId }, accountListSchema));
      },
    }),
    defineRoute({
      operationId: 'getCreatorInfo', method: 'get', path: '/api/v1/tiktok/accounts/:accountId/creator-info', tag: 'accounts', access: 'user',
      summary: 'Fresh creator info from TikTok (nickname, privacy options, interaction switches, max duration, canPost).',
      params: accountParamsSchema,
      responses: { ...standardProblems('user'), 200: { description: 'creator info', schema: creatorInfoViewSchema }, 404: problem('not_found'), 409: problem('reauthorization_required') },
      async handle({ params, principal }, c) {
        return c.json(await deps.rpc(rpcSubjects.creatorInfo, { userId: principal!.userId, accountId: params.accountId }, creatorInfoViewSchema));
      },
    }),
    defineRoute({
      operationId: 'disconnectAccount', method: 'delete', path: '/api/v1/tiktok/accounts/:accountId', tag: 'accounts', access: 'user',
      summary: 'Revoke at TikTok and disconnect the account.',
      params: accountParamsSchema,
      responses: { ...standardProblems('user'), 204: { description: 'disconnected' }, 404: problem('not_found') },
      async handle({ params, principal }, c) {
        await deps.rpc(rpcSubjects.accountsDisconnect, { userId: principal!.userId, accountId: params.accountId }, z.object({}).loose());
        return c.body(null, 204);
      },
    }),
  ];
}

function dropUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Only same-origin relative redirects leave the gateway, whatever a service answers. */
function safeRedirect(target: string): string {
  return target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\') ? target : '/?tiktok=error&code=invalid_redirect';
}
