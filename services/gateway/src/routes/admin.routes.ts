/** Admin routes (role admin): raw event logs, a share's audit trail across services, projection rebuilds. */
import { z } from 'zod';
import type { Envelope } from '@tiktok-share/contracts/envelope.ts';
import {
  adminAuditViewSchema, adminEventsQuerySchema, adminEventsViewSchema, adminServiceParamsSchema, shareParamsSchema,
} from '@tiktok-share/contracts/rest.ts';
import { defineRoute, standardProblems, type RouteSpec } from '../http/route.ts';
import type { RouteDeps } from './deps.ts';
import { serviceSubject, services } from './subjects.ts';

const rebuildStartedSchema = z.object({ started: z.literal(true) }).loose();

/**
 * Audit order: occurredAt, then stream order. Services' clocks may differ slightly; within one
 * stream streamVersion is authoritative, so it wins over the timestamps for events of one stream.
 */
export function mergeAudit(lists: Envelope[][]): Envelope[] {
  return lists.flat().sort((a, b) => {
    if (a.streamId === b.streamId) return a.streamVersion - b.streamVersion;
    return Date.parse(a.occurredAt) - Date.parse(b.occurredAt);
  });
}

export function adminRoutes(deps: RouteDeps): RouteSpec[] {
  return [
    defineRoute({
      operationId: 'adminListEvents', method: 'get', path: '/api/v1/admin/events', tag: 'admin', access: 'admin',
      summary: 'The raw event log of one service (auth, quota or publisher), paged with `next`.',
      query: adminEventsQuerySchema,
      responses: { ...standardProblems('admin'), 200: { description: 'a page of events', schema: adminEventsViewSchema } },
      async handle({ query }, c) {
        const { service, ...rest } = query;
        const input = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
        return c.json(await deps.rpc(serviceSubject(service, 'admin.events'), input, adminEventsViewSchema));
      },
    }),
    defineRoute({
      operationId: 'adminShareAudit', method: 'get', path: '/api/v1/admin/shares/:shareId/audit', tag: 'admin', access: 'admin',
      summary: 'Every event of a share across the three services, ordered by occurredAt then stream order.',
      params: shareParamsSchema,
      responses: { ...standardProblems('admin'), 200: { description: 'the audit trail', schema: adminAuditViewSchema } },
      async handle({ params }, c) {
        const lists = await Promise.all(services.map((s) => deps.rpc(serviceSubject(s, 'admin.audit'), { shareId: params.shareId }, adminAuditViewSchema)));
        return c.json({ events: mergeAudit(lists.map((l) => l.events)) });
      },
    }),
    defineRoute({
      operationId: 'adminRebuildProjections', method: 'post', path: '/api/v1/admin/projections/:service/rebuild', tag: 'admin', access: 'admin',
      summary: "Rebuild a service's read models by replaying its events; runs in the service's background.",
      params: adminServiceParamsSchema,
      responses: { ...standardProblems('admin'), 202: { description: 'started', schema: z.object({ service: z.string(), started: z.literal(true) }) } },
      async handle({ params }, c) {
        // The service answers as soon as the rebuild is scheduled, so the API never blocks on it.
        await deps.rpc(serviceSubject(params.service, 'admin.rebuild'), {}, rebuildStartedSchema);
        return c.json({ service: params.service, started: true as const }, 202);
      },
    }),
  ];
}
