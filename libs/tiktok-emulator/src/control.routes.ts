/** Control API (dev/tests only, DESIGN §10): state, faults, token expiry, webhooks, clock, lifecycle. */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { failPublish, userPostsDraft } from './lifecycle.ts';
import { revokeGrant } from './oauth.routes.ts';
import { json } from './respond.ts';
import type { EmulatorState, Publish } from './state.ts';
import { sendWebhook } from './webhooks.ts';

const FaultSchema = z.object({
  endpoint: z.enum(['token', 'user_info', 'creator_info', 'video_init', 'inbox_init', 'status', 'upload', 'cancel', 'revoke']),
  status: z.number().int().min(100).max(599).optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
  reset: z.boolean().optional(),
  times: z.number().int().min(1).default(1),
});
const ConfigSchema = z.object({
  processingDelayMs: z.number().int().min(0).optional(),
  appAudited: z.boolean().optional(),
  dailyPostLimit: z.number().int().min(0).optional(),
  webhookUrl: z.string().url().optional(),
});

function publishView(p: Publish) {
  return {
    publishId: p.publishId,
    openId: p.openId,
    mode: p.mode,
    source: p.source,
    privacyLevel: p.privacyLevel,
    title: p.title,
    videoSize: p.videoSize,
    chunkSize: p.chunkSize,
    bytesReceived: p.bytesReceived,
    sha256: p.sha256,
    totalChunks: p.totalChunks,
    chunksReceived: p.chunksReceived,
    status: p.status,
    failReason: p.failReason,
    postIds: p.postIds.map(String),
  };
}

/** A JSON snapshot for tests (no tokens). */
export function snapshot(state: EmulatorState) {
  return {
    now: new Date(state.now()).toISOString(),
    publishes: [...state.publishes.values()].map(publishView),
    violations: state.violations,
    initCalls: state.initCalls,
    creators: [...state.creators.values()].map(({ postTimes, ...c }) => ({ ...c, postsLast24h: postTimes.length })),
    webhooks: state.webhooks,
    faults: state.faults.filter((f) => f.times > 0),
  };
}

async function body<T>(c: Context, schema: z.ZodType<T>): Promise<T | Response> {
  const raw: unknown = await c.req.json().catch(() => ({}));
  const parsed = schema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : json({ error: 'validation_failed', issues: parsed.error.issues }, 400);
}

function withPublish(c: Context, state: EmulatorState, fn: (p: Publish) => boolean, conflict: string): Response {
  const p = state.publishes.get(c.req.param('publishId') ?? '');
  if (!p) return json({ error: 'unknown_publish' }, 404);
  return fn(p) ? json(publishView(p)) : json({ error: conflict, status: p.status }, 409);
}

/** The control routes under /__control. */
export function controlRoutes(state: EmulatorState): Hono {
  const app = new Hono();
  app.get('/__control/state', () => json(snapshot(state)));
  app.post('/__control/faults', async (c) => {
    const f = await body(c, FaultSchema);
    if (f instanceof Response) return f;
    const fault = { endpoint: f.endpoint, times: f.times, ...(f.status === undefined ? {} : { status: f.status }), ...(f.delayMs === undefined ? {} : { delayMs: f.delayMs }), ...(f.reset === undefined ? {} : { reset: f.reset }) };
    state.faults.push(fault);
    return json(fault, 201);
  });
  app.delete('/__control/faults', () => {
    state.faults.length = 0;
    return json({});
  });
  app.post('/__control/expire-tokens', async (c) => {
    const b = await body(c, z.object({ openId: z.string().optional() }));
    if (b instanceof Response) return b;
    let expired = 0;
    for (const t of state.accessTokens.values()) {
      if (b.openId === undefined || t.openId === b.openId) {
        t.expiresAt = Math.min(t.expiresAt, state.now() - 1);
        expired++;
      }
    }
    return json({ expired });
  });
  app.post('/__control/send-webhook', async (c) => {
    const b = await body(c, z.object({ event: z.string().min(1), openId: z.string().min(1), content: z.record(z.string(), z.unknown()) }));
    if (b instanceof Response) return b;
    sendWebhook(state, b.event, b.openId, b.content);
    return json({ queued: true }, 202);
  });
  app.post('/__control/clock', async (c) => {
    const b = await body(c, z.object({ advanceMs: z.number().int() }));
    if (b instanceof Response) return b;
    state.clockOffsetMs += b.advanceMs;
    return json({ now: new Date(state.now()).toISOString(), offsetMs: state.clockOffsetMs });
  });
  app.post('/__control/config', async (c) => {
    const b = await body(c, ConfigSchema);
    if (b instanceof Response) return b;
    Object.assign(state.settings, b);
    return json({ ok: true });
  });
  // The user removes our app in TikTok: tokens die, running publishes fail, webhook tells us.
  app.post('/__control/revoke', async (c) => {
    const b = await body(c, z.object({ openId: z.string().min(1), reason: z.number().int().min(0).max(5).default(1) }));
    if (b instanceof Response) return b;
    revokeGrant(state, b.openId);
    for (const p of state.publishes.values()) if (p.openId === b.openId) failPublish(state, p, 'auth_removed');
    sendWebhook(state, 'authorization.removed', b.openId, { reason: b.reason });
    return json({ revoked: true });
  });
  app.post('/__control/fail-next', async (c) => {
    const b = await body(c, z.object({ failReason: z.string().min(1), openId: z.string().optional() }));
    if (b instanceof Response) return b;
    state.failNext.push({ failReason: b.failReason, openId: b.openId ?? null });
    return json({ queued: true }, 202);
  });
  app.post('/__control/publishes/:publishId/fail', async (c) => {
    const b = await body(c, z.object({ failReason: z.string().min(1) }));
    if (b instanceof Response) return b;
    return withPublish(c, state, (p) => failPublish(state, p, b.failReason), 'publish_already_final');
  });
  app.post('/__control/publishes/:publishId/user-post', (c) => withPublish(c, state, (p) => userPostsDraft(state, p), 'not_in_inbox'));
  return app;
}
