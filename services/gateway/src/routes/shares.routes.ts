/** Share routes (DESIGN §5). Ownership is enforced by the publisher given userId = JWT sub. */
import { z } from 'zod';
import {
  idempotencyKeySchema, shareListQuerySchema, shareListSchema, shareParamsSchema, shareRequestBodySchema, shareViewSchema,
} from '@tiktok-share/contracts/rest.ts';
import { defineRoute, standardProblems, type RouteSpec } from '../http/route.ts';
import { streamShareEvents } from '../sse/share-events.ts';
import type { RouteDeps } from './deps.ts';
import { rpcSubjects } from './subjects.ts';

const problem = (description: string) => ({ description, contentType: 'application/problem+json' });
const idempotencyHeaders = z.object({ 'idempotency-key': idempotencyKeySchema.describe('Same key + same body → the same share; other body → 409') });

export function shareRoutes(deps: RouteDeps): RouteSpec[] {
  return [
    defineRoute({
      operationId: 'createShare', method: 'post', path: '/api/v1/tiktok/shares', tag: 'shares', access: 'user',
      summary: 'Share a video to a connected TikTok account (Direct Post or inbox draft).',
      description: 'privacyLevel is required for direct mode and has no default. Drafts ignore every setting but the video.',
      headers: idempotencyHeaders,
      body: shareRequestBodySchema,
      responses: {
        ...standardProblems('user'),
        202: { description: 'accepted; follow progress with GET /shares/{shareId}/events', schema: shareViewSchema },
        404: problem('not_found: unknown or foreign account'),
        409: problem('idempotency_key_reused | reauthorization_required'),
        422: problem('privacy_level_not_allowed | branded_content_cannot_be_private | unaudited_app_private_only | video_too_long | unsupported_video | video_source_not_allowed'),
        429: problem('daily_limit_reached | pending_drafts_limit_reached (with retryAt)'),
      },
      async handle({ body, headers, principal }, c) {
        const input = { userId: principal!.userId, idempotencyKey: headers['idempotency-key'], request: body };
        return c.json(await deps.rpc(rpcSubjects.sharesCreate, input, shareViewSchema), 202);
      },
    }),
    defineRoute({
      operationId: 'listShares', method: 'get', path: '/api/v1/tiktok/shares', tag: 'shares', access: 'user',
      summary: "The caller's shares, newest first.",
      query: shareListQuerySchema,
      responses: { ...standardProblems('user'), 200: { description: 'a page of shares', schema: shareListSchema } },
      async handle({ query, principal }, c) {
        return c.json(await deps.rpc(rpcSubjects.sharesList, { userId: principal!.userId, ...dropUndefined(query) }, shareListSchema));
      },
    }),
    defineRoute({
      operationId: 'getShare', method: 'get', path: '/api/v1/tiktok/shares/:shareId', tag: 'shares', access: 'user',
      summary: 'One share.',
      params: shareParamsSchema,
      responses: { ...standardProblems('user'), 200: { description: 'share view', schema: shareViewSchema }, 404: problem('not_found') },
      async handle({ params, principal }, c) {
        return c.json(await deps.rpc(rpcSubjects.sharesGet, { userId: principal!.userId, shareId: params.shareId }, shareViewSchema));
      },
    }),
    defineRoute({
      operationId: 'streamShareEvents', method: 'get', path: '/api/v1/tiktok/shares/:shareId/events', tag: 'shares', access: 'user',
      summary: 'Server-sent events: `share` (the current view first), then each public event of the share as it happens; closes at a final status.',
      params: shareParamsSchema,
      responses: { ...standardProblems('user'), 200: { description: 'event stream', contentType: 'text/event-stream' }, 404: problem('not_found') },
      async handle({ params, principal }, c) {
        // Ownership first: a foreign share is a 404 problem, not an empty stream.
        const view = await deps.rpc(rpcSubjects.sharesGet, { userId: principal!.userId, shareId: params.shareId }, shareViewSchema);
        return streamShareEvents(c, deps, principal!.userId, view);
      },
    }),
  ];
}

function dropUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
