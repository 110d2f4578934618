/**
 * The integration event envelope (DESIGN §6). Published to JetStream as JSON with
 * `Nats-Msg-Id` = `id`; within a version, `data` only grows (additive changes), so readers
 * ignore unknown fields (zod strips them) instead of rejecting them.
 */
import { z } from 'zod';
import { idSchema, isoDateTimeSchema } from './common.ts';

/** Envelope with untyped `data`: what every event shares. */
export const envelopeSchema = z.object({
  /** Event id (uuid); also the JetStream msgId, so redelivered publishes are deduplicated. */
  id: idSchema,
  type: z.string().min(1),
  version: z.number().int().positive(),
  /** `<aggregate>-<id>`, e.g. `share-01J…`. */
  streamId: idSchema,
  streamVersion: z.number().int().nonnegative(),
  occurredAt: isoDateTimeSchema,
  /** For every share event: the shareId. Null when the event starts no known chain. */
  correlationId: idSchema.nullable(),
  /** Id of the event or message that caused this one, when known. */
  causationId: idSchema.nullable(),
  data: z.unknown(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/**
 * The envelope of one event type and version, with its `data` schema.
 * @example
 * const schema = typedEnvelope('ShareRequested', 1, shareRequestedData);
 */
export function typedEnvelope<T extends string, V extends number, D extends z.ZodType>(type: T, version: V, data: D) {
  return envelopeSchema.extend({ type: z.literal(type), version: z.literal(version), data });
}
