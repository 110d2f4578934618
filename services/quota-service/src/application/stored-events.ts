/**
 * Our own log, read back as domain events. The log is written only by this service through the
 * deciders, so a type check is enough (no zod parse on the hot path of every aggregate read).
 */
import type { NewEvent, StoredEvent } from '@tiktok-share/eventstore';
import { PUBLIC_EVENT_TYPES, type CreatorQuotaEvent, type CreatorQuotaEventType } from '../domain/creator-quota.ts';
import type { PostingCreatorsEvent } from '../domain/posting-creators.ts';

const CREATOR_TYPES: ReadonlySet<string> = new Set<CreatorQuotaEventType>([
  'QuotaReserved', 'QuotaRejected', 'QuotaReleased', 'ReservationConsumed', 'CreatorExhausted',
]);

export function asCreatorEvent(e: StoredEvent): CreatorQuotaEvent | null {
  return CREATOR_TYPES.has(e.type) ? ({ type: e.type, data: e.data } as CreatorQuotaEvent) : null;
}

export function asPostingCreatorsEvent(e: StoredEvent): PostingCreatorsEvent | null {
  return e.type === 'PostingCreatorAdmitted' ? ({ type: e.type, data: e.data } as PostingCreatorsEvent) : null;
}

/** Where an event came from: the share it is about and the message or request that caused it. */
export interface Cause {
  correlationId?: string;
  causationId?: string;
}

/** Domain events → events to append; the public ones (DESIGN §6) leave through the relay. */
export function toNewEvents(events: readonly { type: string; data: unknown }[], cause: Cause, occurredAt: Date): NewEvent[] {
  return events.map((e) => {
    const shareId = (e.data as { shareId?: unknown }).shareId;
    const correlationId = cause.correlationId ?? (typeof shareId === 'string' ? shareId : undefined);
    return {
      type: e.type,
      data: e.data,
      public: PUBLIC_EVENT_TYPES.has(e.type),
      metadata: {
        occurredAt: occurredAt.toISOString(),
        ...(correlationId ? { correlationId } : {}),
        ...(cause.causationId ? { causationId: cause.causationId } : {}),
      },
    };
  });
}
