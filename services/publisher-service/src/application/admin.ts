/** Admin and health ops (docs/internals.md): raw event log, audit by share, rebuild, health. */
import { sql } from 'kysely';
import { rebuildProjection, toEnvelope, type Checkpoint, type EventEnvelope, type InlineProjection, type StoredEvent } from '@tiktok-share/eventstore';
import { validationFailed } from '@tiktok-share/platform/errors.ts';
import type { Bus } from '@tiktok-share/messaging/port.ts';
import type { PublisherContext } from './context.ts';

/** Cursor = `<transactionId>.<position>` of the last event returned (gap-safe order). */
function parseCursor(cursor: string | undefined): Checkpoint {
  if (!cursor) return { transactionId: '0', position: '0' };
  const m = /^(\d+)\.(\d+)$/.exec(cursor);
  if (!m) throw validationFailed([{ path: 'after', message: 'unknown cursor' }]);
  return { transactionId: m[1] as string, position: m[2] as string };
}

function cursorOf(e: StoredEvent): string {
  return `${e.transactionId}.${e.position}`;
}

export async function adminEvents(ctx: PublisherContext, input: { streamId?: string | undefined; after?: string | undefined; limit: number }): Promise<{ items: EventEnvelope[]; next: string | null }> {
  let events: StoredEvent[];
  if (input.streamId) {
    const from = input.after ? Number(input.after) : 0;
    if (!Number.isInteger(from) || from < 0) throw validationFailed([{ path: 'after', message: 'unknown cursor' }]);
    events = (await ctx.store.readStream(input.streamId, { fromVersion: from + 1 })).slice(0, input.limit);
    const last = events.at(-1);
    return { items: events.map(toEnvelope), next: events.length === input.limit && last ? String(last.streamVersion) : null };
  }
  events = await ctx.store.readAll(parseCursor(input.after), input.limit);
  const last = events.at(-1);
  return { items: events.map(toEnvelope), next: events.length === input.limit && last ? cursorOf(last) : null };
}

/** Every event of the share (its stream carries correlationId = shareId). */
export async function adminAudit(ctx: PublisherContext, input: { shareId: string }): Promise<{ events: EventEnvelope[] }> {
  const rows = (await sql<{ stream_id: string }>`select distinct stream_id from ${sql.id(ctx.schema)}.es_events where metadata->>'correlationId' = ${input.shareId}`.execute(ctx.store.db)).rows;
  const events: StoredEvent[] = [];
  for (const r of rows) events.push(...(await ctx.store.readStream(r.stream_id)).filter((e) => e.metadata.correlationId === input.shareId));
  events.sort((a, b) => Number(BigInt(a.position) - BigInt(b.position)));
  return { events: events.map(toEnvelope) };
}

/** Starts the rebuild in the background; progress and result go to the log. */
export function adminRebuild(ctx: PublisherContext, projection: InlineProjection): { started: true; done: Promise<void> } {
  const done = rebuildProjection(ctx.store, projection)
    .then((r) => ctx.logger.info({ projection: projection.name, events: r.events, ms: Math.round(r.ms) }, 'projection rebuilt'))
    .catch((err: unknown) => ctx.logger.error({ err, projection: projection.name }, 'projection rebuild failed'));
  return { started: true, done };
}

export async function health(ctx: Pick<PublisherContext, 'store'>, bus: Bus): Promise<{ service: string; db: boolean; bus: boolean }> {
  const db = await sql`select 1`.execute(ctx.store.db).then(() => true, () => false);
  const busOk = await bus.healthy().catch(() => false);
  return { service: 'publisher', db, bus: busOk };
}
