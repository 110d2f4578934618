/** Admin and health ops (docs/internals.md): raw event log, audit by share, rebuild, health. */
import { sql } from 'kysely';
import { rebuildProjection, toEnvelope, type Checkpoint, type EventEnvelope, type InlineProjection, type StoredEvent } from '@tiktok-share/eventstore';
import type { Bus } from '@tiktok-share/messaging';
import { validationFailed } from '@tiktok-share/platform/errors.ts';
import type { QuotaContext } from './context.ts';

/** Cursor over the whole log = `<transactionId>.<position>` (gap-safe order); over a stream = its version. */
function parseCursor(cursor: string | undefined): Checkpoint {
  if (!cursor) return { transactionId: '0', position: '0' };
  const m = /^(\d+)\.(\d+)$/.exec(cursor);
  if (!m?.[1] || !m[2]) throw validationFailed([{ path: 'after', message: 'unknown cursor' }]);
  return { transactionId: m[1], position: m[2] };
}

export async function adminEvents(
  ctx: QuotaContext,
  input: { streamId?: string | undefined; after?: string | undefined; limit: number },
): Promise<{ items: EventEnvelope[]; next: string | null }> {
  if (input.streamId) {
    const from = input.after ? Number(input.after) : 0;
    if (!Number.isInteger(from) || from < 0) throw validationFailed([{ path: 'after', message: 'unknown cursor' }]);
    const events = (await ctx.store.readStream(input.streamId, { fromVersion: from + 1 })).slice(0, input.limit);
    const last = events.at(-1);
    return { items: events.map(toEnvelope), next: events.length === input.limit && last ? String(last.streamVersion) : null };
  }
  const events = await ctx.store.readAll(parseCursor(input.after), input.limit);
  const last = events.at(-1);
  return { items: events.map(toEnvelope), next: events.length === input.limit && last ? `${last.transactionId}.${last.position}` : null };
}

/** Every quota event about a share (correlationId = shareId), in log order. */
export async function adminAudit(ctx: QuotaContext, input: { shareId: string }): Promise<{ events: EventEnvelope[] }> {
  const { rows } = await sql<{ stream_id: string }>`select distinct stream_id from ${sql.id(ctx.schema)}.es_events
    where metadata->>'correlationId' = ${input.shareId}`.execute(ctx.db);
  const events: StoredEvent[] = [];
  for (const r of rows) events.push(...(await ctx.store.readStream(r.stream_id)).filter((e) => e.metadata.correlationId === input.shareId));
  events.sort((a, b) => (BigInt(a.position) < BigInt(b.position) ? -1 : 1));
  return { events: events.map(toEnvelope) };
}

/** Starts the rebuild in the background; progress and result go to the log. */
export function adminRebuild(ctx: QuotaContext, projection: InlineProjection): { started: true; done: Promise<void> } {
  const done = rebuildProjection(ctx.store, projection)
    .then((r) => ctx.logger.info({ projection: projection.name, events: r.events, ms: Math.round(r.ms) }, 'projection rebuilt'))
    .catch((err: unknown) => ctx.logger.error({ err, projection: projection.name }, 'projection rebuild failed'));
  return { started: true, done };
}

export async function health(ctx: QuotaContext, bus: Bus): Promise<{ service: string; db: boolean; bus: boolean }> {
  const db = await sql`select 1`.execute(ctx.db).then(() => true, () => false);
  const busOk = await bus.healthy().catch(() => false);
  return { service: 'quota', db, bus: busOk };
}
