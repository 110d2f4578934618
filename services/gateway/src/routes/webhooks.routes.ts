/**
 * TikTok webhook ingress. TikTok retries non-200 answers for 72 h and delivers at least once, so:
 * - the signature is checked over the raw bytes first; a bad or stale one is 401 and nothing moves;
 * - the dedupe id is sha256(raw body), sent as the RPC header `webhook-dedupe-id` (the webhook
 *   schema itself is TikTok's). The gateway holds no database, so the authoritative dedupe is the
 *   receiving service's inbox (`processOnce` keyed by this id) and its idempotent decider;
 *   a small in-memory set here only saves the RPC for duplicates hitting the same instance;
 * - we answer 200 once the owning service acknowledged; if it cannot be reached we answer 503 so
 *   TikTok redelivers (the inbox makes the redelivery harmless).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { tiktokWebhookSchema, type TikTokWebhook } from '@tiktok-share/contracts/rest.ts';
import { verifyWebhookSignature } from '@tiktok-share/tiktok/webhook-signature.ts';
import { AppError, isAppError, unauthorized } from '@tiktok-share/platform/errors.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { parseOrThrow } from '../http/validate.ts';
import type { RouteDeps } from './deps.ts';
import { rpcSubjects } from './subjects.ts';
import { RecentIds } from './recent-ids.ts';

const WEBHOOK_RPC_TIMEOUT_MS = 3000;

/** Which service owns an event; undefined → acknowledged and ignored (e.g. portability events). */
export function webhookTarget(event: string): string | undefined {
  if (event === 'authorization.removed') return rpcSubjects.authWebhook;
  if (event.startsWith('post.publish.')) return rpcSubjects.publisherWebhook;
  return undefined;
}

export function webhookRoutes(deps: RouteDeps): RouteSpec[] {
  const recent = new RecentIds(10_000);
  return [
    defineRoute({
      operationId: 'receiveTikTokWebhook', method: 'post', path: '/api/v1/tiktok/webhooks', tag: 'webhooks', access: 'public',
      summary: 'TikTok webhook callback: TikTok-Signature verified over the raw body (HMAC-SHA256, 5 min tolerance); duplicates ignored.',
      body: tiktokWebhookSchema, bodyMode: 'raw', bodyLimit: 256 * 1024,
      responses: {
        200: { description: 'accepted (or a duplicate / an event we do not handle)', schema: z.object({ received: z.literal(true), duplicate: z.boolean() }) },
        400: { description: 'validation_failed: signed but not a TikTok webhook body', contentType: 'application/problem+json' },
        401: { description: 'unauthorized: missing, bad or stale signature', contentType: 'application/problem+json' },
        503: { description: 'service_unavailable: could not hand over; TikTok will retry', contentType: 'application/problem+json' },
      },
      async handle(_input, c) {
        const raw = new Uint8Array(await c.req.arrayBuffer());
        const nowSec = Math.floor(deps.now().getTime() / 1000);
        if (!verifyWebhookSignature(deps.config.clientSecret, raw, c.req.header('tiktok-signature'), nowSec)) {
          throw unauthorized('The TikTok-Signature header is missing, invalid or too old');
        }
        const dedupeId = createHash('sha256').update(raw).digest('hex');
        if (recent.has(dedupeId)) return c.json({ received: true, duplicate: true });
        const webhook = parseOrThrow(tiktokWebhookSchema, parseJson(raw), 'body');
        const target = webhookTarget(webhook.event);
        if (target) await forward(deps, target, webhook, dedupeId);
        recent.add(dedupeId);
        deps.logger.info({ event: webhook.event, dedupeId, routed: target ?? null }, 'tiktok webhook accepted');
        return c.json({ received: true, duplicate: false });
      },
    }),
  ];
}

/** Header carrying sha256(raw body) to the service, the key for its inbox (`processOnce`). */
export const WEBHOOK_DEDUPE_HEADER = 'webhook-dedupe-id';

async function forward(deps: RouteDeps, subject: string, webhook: TikTokWebhook, dedupeId: string): Promise<void> {
  try {
    await deps.rpc(subject, webhook, z.unknown(), { timeoutMs: WEBHOOK_RPC_TIMEOUT_MS, headers: { [WEBHOOK_DEDUPE_HEADER]: dedupeId } });
  } catch (err) {
    // The service looked at it and refused (malformed content, unknown publish): a retry would be
    // refused again, so acknowledge rather than make TikTok retry for 72 h.
    if (isAppError(err) && err.status < 500) {
      deps.logger.warn({ code: err.code, subject }, 'webhook refused by its service; acknowledged');
      return;
    }
    deps.logger.error({ err, subject }, 'webhook hand-over failed; TikTok will retry');
    throw new AppError('service_unavailable', 503, 'The webhook could not be handed over; retry later', {}, { cause: err });
  }
}

function parseJson(raw: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(raw)) as unknown;
  } catch {
    return undefined;
  }
}
