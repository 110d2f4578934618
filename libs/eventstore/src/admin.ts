/**
 * The admin and health ops every service answers on `tiktok.rpc.<svc>.…` (docs/internals.md):
 * raw event log, audit by share, projection rebuild with its status, health. One implementation,
 * served by `serveAdminRpcs`.
 */
import { sql } from 'kysely';
import { adminRpc, rpcQueue } from '@tiktok-share/contracts/rpc.ts';
import type { ServiceName } from '@tiktok-share/contracts/common.ts';
import type { Bus, Subscription } from '@tiktok-share/messaging/port.ts';
import { serveRpc } from '@tiktok-share/messaging/rpc.ts';
import type { BusLogger } from '@tiktok-share/messaging/logger.ts';
import { validationFailed } from '@tiktok-share/platform/errors.ts';
import { toEnvelope, type EventEnvelope } from './relay.ts';
import { createRebuildRunner, type RebuildRunner } from './rebuild-runner.ts';
import type { Checkpoint, EventStore, InlineProjection, StoredEvent } from './types.ts';

export { createRebuildRunner, type RebuildRunner, type RebuildRunnerOptions, type RebuildLogger, type RebuildStatus, type RebuildState } from './rebuild-runner.ts';

export interface AdminEventsInput {
  streamId?: string | undefined;
  /** Cursor of the previous page's `next`. */
  after?: string | undefined;
  limit: number;
}

export interface AdminEventsPage {
  items: EventEnvelope[];
  /** Null on the last page. */
  next: string | null;
}

const badCursor = () => validationFailed([{ path: 'after', message: 'unknown cursor' }]);

/** Global cursor `<transactionId>.<position>` (the gap-safe read order) → checkpoint. */
function parseLogCursor(cursor: string | undefined): Checkpoint {
  if (!cursor) return { transactionId: '0', position: '0' };
  const m = /^(\d+)\.(\d+)$/.exec(cursor);
  if (!m?.[1] || !m[2]) throw badCursor();
  return { transactionId: m[1], position: m[2] };
}

/** Stream cursor = the last stream version returned. */
function parseStreamCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  if (!/^\d+$/.test(cursor)) throw badCursor();
  const v = Number(cursor);
  if (!Number.isSafeInteger(v)) throw badCursor();
  return v;
}

/**
 * One page of the raw log: the whole log in gap-safe order (cursor `<transactionId>.<position>`)
 * or one stream by version (cursor = stream version). `next` is null once a page comes back short.
 * @example const page = await adminEvents(store, { limit: 100 }); await adminEvents(store, { limit: 100, after: page.next ?? undefined });
 */
export async function adminEvents(store: EventStore, input: AdminEventsInput): Promise<AdminEventsPage> {
  if (input.streamId) {
    const from = parseStreamCursor(input.after);
    const events = (await store.readStream(input.streamId, { fromVersion: from + 1 })).slice(0, input.limit);
    const last = events.at(-1);
    return { items: events.map(toEnvelope), next: events.length === input.limit && last ? String(last.streamVersion) : null };
  }
  const events = await store.readAll(parseLogCursor(input.after), input.limit);
  const last = events.at(-1);
  return { items: events.map(toEnvelope), next: events.length === input.limit && last ? `${last.transactionId}.${last.position}` : null };
}

/**
 * Every event whose metadata.correlationId is the share, in log order. Sorted by position, not
 * (transactionId, position): within one stream a later version always has a higher position,
 * while a later transaction may hold a lower xid.
 */
export async function adminAudit(store: EventStore, schema: string, input: { shareId: string }): Promise<{ events: EventEnvelope[] }> {
  const { rows } = await sql<{ stream_id: string }>`select distinct stream_id from ${sql.id(schema)}.es_events
    where metadata->>'correlationId' = ${input.shareId}`.execute(store.db);
  const events: StoredEvent[] = [];
  for (const r of rows) events.push(...(await store.readStream(r.stream_id)).filter((e) => e.metadata.correlationId === input.shareId));
  events.sort((a, b) => (BigInt(a.position) < BigInt(b.position) ? -1 : 1));
  return { events: events.map(toEnvelope) };
}

/** `{ service, db, bus }`: whether the database answers `select 1` and the bus is connected. */
export async function health(store: EventStore, bus: Bus, service: ServiceName): Promise<{ service: string; db: boolean; bus: boolean }> {
  const [db, busOk] = await Promise.all([
    sql`select 1`.execute(store.db).then(() => true, () => false),
    bus.healthy().catch(() => false),
  ]);
  return { service, db, bus: busOk };
}

export interface ServeAdminRpcsOptions {
  bus: Bus;
  service: ServiceName;
  store: EventStore;
  schema: string;
  /** The service's inline projections: all of them are rebuilt by `admin.rebuild`. */
  projections: readonly InlineProjection[];
  logger: BusLogger;
  /** Share a runner with in-process callers (default: one built from `projections`). */
  runner?: RebuildRunner;
}

/**
 * Registers admin.events, admin.audit, admin.rebuild, admin.rebuild-status and health on
 * `tiktok.rpc.<service>.…` (queue group `<service>-service`), after creating the rebuild status table.
 * @example subs.push(...(await serveAdminRpcs({ bus, service: 'quota', store, schema, projections: [projection], logger })));
 */
export async function serveAdminRpcs(opts: ServeAdminRpcsOptions): Promise<Subscription[]> {
  const { bus, store } = opts;
  const runner = opts.runner ?? createRebuildRunner({ store, projections: opts.projections, logger: opts.logger });
  await runner.migrate();
  const ops = adminRpc(opts.service);
  const o = { queue: rpcQueue(opts.service), logger: opts.logger };
  return Promise.all([
    serveRpc(bus, ops.events.subject, ops.events.input, (i) => adminEvents(store, i), o),
    serveRpc(bus, ops.audit.subject, ops.audit.input, (i) => adminAudit(store, opts.schema, i), o),
    serveRpc(bus, ops.rebuild.subject, ops.rebuild.input, async () => ({ started: (await runner.start()).started }), o),
    serveRpc(bus, ops.rebuildStatus.subject, ops.rebuildStatus.input, () => runner.status(), o),
    serveRpc(bus, ops.health.subject, ops.health.input, () => health(store, bus, opts.service), o),
  ]);
}
