/** GET /tiktok/quota: ownership via auth (accounts.get → openId), then the quota ledger's view. */
import { accountViewSchema, quotaQuerySchema, quotaViewSchema } from '@tiktok-share/contracts/rest.ts';
import { defineRoute, standardProblems, type RouteSpec } from '../http/route.ts';
import type { RouteDeps } from './deps.ts';
import { rpcSubjects } from './subjects.ts';

export function quotaRoutes(deps: RouteDeps): RouteSpec[] {
  return [
    defineRoute({
      operationId: 'getQuota', method: 'get', path: '/api/v1/tiktok/quota', tag: 'quota', access: 'user',
      summary: "The creator's limits: Direct Posts left in the rolling 24 h, pending drafts, per-endpoint rate windows.",
      query: quotaQuerySchema,
      responses: {
        ...standardProblems('user'),
        200: { description: 'quota view', schema: quotaViewSchema },
        404: { description: 'not_found: unknown or foreign account', contentType: 'application/problem+json' },
      },
      async handle({ query, principal }, c) {
        // The quota ledger is keyed by open_id and knows nothing about users: ownership is auth's.
        const account = await deps.rpc(rpcSubjects.accountsGet, { userId: principal!.userId, accountId: query.accountId }, accountViewSchema);
        return c.json(await deps.rpc(rpcSubjects.quotaStatus, { openId: account.openId }, quotaViewSchema));
      },
    }),
  ];
}
