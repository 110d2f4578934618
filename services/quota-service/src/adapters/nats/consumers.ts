/**
 * Durable JetStream consumers of the publisher's events (NATS 2.9: one filter subject each).
 * - UploadInitialized → TikTok accepted the init: consume the reservation (TikTok counts it now).
 * - PublishFailed → release the reservation if TikTok never accepted the init; a consumed one
 *   stays counted (a draft in the inbox stays pending). A spam_risk code also records exhaustion.
 * - PublishCompleted is not consumed: a draft counts as pending for 24 h from the moment TikTok
 *   accepted it, whatever the creator does in the app (we cannot observe that), which is the
 *   conservative reading of "≤ 5 pending shares per 24 h".
 * Exactly-once per consumer through the inbox (processOnce); unparseable messages are terminated.
 */
import { EnvelopeError, eventCatalogue, parseEnvelope, streams } from '@tiktok-share/contracts';
import type { Bus, BusMessage, Subscription } from '@tiktok-share/messaging';
import type { CreatorQuotaCommand } from '../../domain/creator-quota.decide.ts';
import type { ExhaustionCode } from '../../domain/creator-quota.ts';
import { onShareEvent } from '../../application/release-quota.ts';
import type { QuotaContext } from '../../application/context.ts';

export const CONSUMERS = {
  uploadInitialized: 'quota--on-upload-initialized',
  publishFailed: 'quota--on-publish-failed',
} as const;

export async function startConsumers(ctx: QuotaContext, bus: Bus): Promise<Subscription[]> {
  const stream = streams.publisher.name;
  return Promise.all([
    bus.consume({
      stream,
      durable: CONSUMERS.uploadInitialized,
      filterSubject: eventCatalogue.UploadInitialized.subject,
      handler: (msg) => handle(ctx, msg, CONSUMERS.uploadInitialized),
    }),
    bus.consume({
      stream,
      durable: CONSUMERS.publishFailed,
      filterSubject: eventCatalogue.PublishFailed.subject,
      handler: (msg) => handle(ctx, msg, CONSUMERS.publishFailed),
    }),
  ]);
}

async function handle(ctx: QuotaContext, msg: BusMessage, consumer: string): Promise<void> {
  let event;
  try {
    event = parseEnvelope(msg.data);
  } catch (err) {
    if (!(err instanceof EnvelopeError)) throw err;
    ctx.logger.error({ err, consumer, subject: msg.subject, seq: msg.seq }, 'unreadable event; terminated');
    msg.term(err.code);
    return;
  }
  const incoming = { messageId: event.id, consumer };
  switch (event.type) {
    case 'UploadInitialized': {
      const { shareId, publishId } = event.data;
      await onShareEvent(ctx, incoming, shareId, (openId, at) => [{ type: 'ConsumeReservation', data: { shareId, openId, publishId }, metadata: { at } }]);
      break;
    }
    case 'PublishFailed': {
      const { shareId, code } = event.data;
      await onShareEvent(ctx, incoming, shareId, (openId, at) => {
        const commands: CreatorQuotaCommand[] = [{ type: 'ReleaseReservation', data: { shareId, openId, reason: 'publish_failed' }, metadata: { at } }];
        // TikTok told the publisher the budget is spent elsewhere: the same fact as `quota.exhausted`.
        if (isExhaustionCode(code)) commands.push({ type: 'RecordExhaustion', data: { openId, code }, metadata: { at } });
        return commands;
      });
      break;
    }
    default:
      ctx.logger.warn({ consumer, type: event.type }, 'unexpected event type on consumer; ignored');
  }
  msg.ack();
}

function isExhaustionCode(code: string): code is ExhaustionCode {
  return code === 'spam_risk_too_many_posts' || code === 'spam_risk_too_many_pending_share';
}
