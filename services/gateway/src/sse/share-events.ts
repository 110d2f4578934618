/**
 * Live share progress over SSE. Delivery is core NATS (at-most-once, no durable): fine for a
 * progress bar because every terminal-ish event triggers a re-read of the authoritative view,
 * and the stream starts with that view. Order of operations closes the classic gap:
 *   subscribe → re-read the view → send it → forward buffered and new events,
 * so an event published between the ownership check and the subscription is never missed.
 * The read model commits with the event, but the outbox relay publishes it a moment later: when
 * the view turns final mid-stream, keep forwarding until the terminal event itself arrives (or a
 * short grace period passes), so the last ChunkUploaded / PublishCompleted are not cut off.
 */
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { z } from 'zod';
import { shareViewSchema, type ShareView } from '@tiktok-share/contracts/rest.ts';
import type { Subscription } from '@tiktok-share/messaging/port.ts';
import type { RouteDeps } from '../routes/deps.ts';
import { rpcSubjects } from '../routes/subjects.ts';
import { AsyncQueue } from './async-queue.ts';

const FINAL_STATUSES: ReadonlySet<string> = new Set(['published', 'in_inbox', 'failed']);
/** Progress-only events never change the final status; everything else re-reads the view. */
const PROGRESS_ONLY: ReadonlySet<string> = new Set(['ChunkUploaded']);
/** The events that end a share's story on the bus. */
const TERMINAL_EVENTS: ReadonlySet<string> = new Set(['PublishCompleted', 'PublishFailed']);
const FINAL_GRACE_MS = 3000;

const publicEventSchema = z.looseObject({
  id: z.string(), type: z.string(), occurredAt: z.string(),
  data: z.looseObject({ shareId: z.string().optional() }),
});
type PublicEvent = z.infer<typeof publicEventSchema>;

/** Share event subjects and quota event subjects (QuotaReserved/Rejected/Released carry shareId). */
export const SHARE_EVENT_SUBJECTS = ['tiktok.share.>', 'tiktok.quota.>'] as const;

export function isFinalStatus(status: string): boolean {
  return FINAL_STATUSES.has(status);
}

/** Stream the share `initial` (ownership already checked) until it reaches a final status. */
export function streamShareEvents(c: Context, deps: RouteDeps, userId: string, initial: ShareView): Response {
  return streamSSE(c, async (stream) => {
    const queue = new AsyncQueue<PublicEvent>();
    const subs = await subscribeShare(deps, initial.shareId, queue);
    const heartbeat = setInterval(() => void stream.write(': heartbeat\n\n').catch(() => queue.close()), deps.config.sseHeartbeatMs ?? 15_000);
    stream.onAbort(() => queue.close());
    let grace: ReturnType<typeof setTimeout> | undefined;
    try {
      const getView = () => deps.rpc(rpcSubjects.sharesGet, { userId, shareId: initial.shareId }, shareViewSchema);
      // Already final when the stream opens: its events are history, end now.
      if (await sendView(stream, await getView())) return;
      let final = false;
      for await (const event of queue) {
        await stream.writeSSE({ event: event.type, id: event.id, data: JSON.stringify(event) });
        if (TERMINAL_EVENTS.has(event.type)) {
          // The stream always ends with the authoritative view.
          await sendView(stream, await getView());
          return;
        }
        if (!final && !PROGRESS_ONLY.has(event.type) && (await sendView(stream, await getView()))) {
          final = true;
          grace = setTimeout(() => queue.close(), deps.config.sseFinalGraceMs ?? FINAL_GRACE_MS);
        }
      }
    } finally {
      clearInterval(heartbeat);
      clearTimeout(grace);
      queue.close();
      await Promise.all(subs.map((s) => s.stop()));
    }
  }, async (err, stream) => {
    deps.logger.warn({ err, shareId: initial.shareId }, 'share event stream ended with an error');
    await stream.writeSSE({ event: 'error', data: JSON.stringify({ code: 'stream_error' }) }).catch(() => undefined);
  });
}

/** Writes the view; true when the share is final (the stream should end). */
async function sendView(stream: SSEStreamingApi, view: ShareView): Promise<boolean> {
  await stream.writeSSE({ event: 'share', data: JSON.stringify(view) });
  return isFinalStatus(view.status);
}

async function subscribeShare(deps: RouteDeps, shareId: string, queue: AsyncQueue<PublicEvent>): Promise<Subscription[]> {
  const decoder = new TextDecoder();
  const onMessage = (_subject: string, data: Uint8Array) => {
    try {
      const parsed = publicEventSchema.safeParse(JSON.parse(decoder.decode(data)));
      if (parsed.success && parsed.data.data.shareId === shareId) queue.push(parsed.data);
    } catch {
      // Not JSON: not one of our envelopes; ignore rather than break the stream.
    }
  };
  return Promise.all(SHARE_EVENT_SUBJECTS.map((s) => deps.bus.subscribe(s, onMessage)));
}
