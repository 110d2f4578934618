/**
 * The v1 integration event catalogue (DESIGN §6): type → subject, version, data schema,
 * producer. Subjects follow `tiktok.<aggregate>.<event>.v<version>`; one JetStream stream per
 * producing service. A breaking change adds a new entry on a new `.v2` subject.
 */
import { z } from 'zod';
import { accountConnectedData, accountDisconnectedData, accountTokenRefreshedData } from './account-events.ts';
import { envelopeSchema, typedEnvelope, type Envelope } from './envelope.ts';
import { quotaRejectedData, quotaReleasedData, quotaReservedData } from './quota-events.ts';
import {
  chunkUploadedData, publishCompletedData, publishFailedData, shareRequestedData, uploadInitializedData,
} from './share-events.ts';

/** Service producing an event (and owning its stream). */
export type Producer = 'auth' | 'quota' | 'publisher';

function entry<T extends string, D extends z.ZodType>(type: T, subject: string, producer: Producer, schema: D, description: string) {
  return { type, subject, version: 1 as const, producer, schema, envelope: typedEnvelope(type, 1 as const, schema), description };
}

export const eventCatalogue = {
  AccountConnected: entry('AccountConnected', 'tiktok.account.connected.v1', 'auth', accountConnectedData,
    'A TikTok account was connected to a platform user (first time, reconnect, or moved from another user).'),
  AccountTokenRefreshed: entry('AccountTokenRefreshed', 'tiktok.account.token_refreshed.v1', 'auth', accountTokenRefreshedData,
    'The access token of an account was refreshed; only expiry times are published, never tokens.'),
  AccountDisconnected: entry('AccountDisconnected', 'tiktok.account.disconnected.v1', 'auth', accountDisconnectedData,
    'A TikTok account connection ended; the reason says why.'),
  ShareRequested: entry('ShareRequested', 'tiktok.share.requested.v1', 'publisher', shareRequestedData,
    'A user asked to share a video to a TikTok account (Direct Post or inbox draft).'),
  QuotaReserved: entry('QuotaReserved', 'tiktok.quota.reserved.v1', 'quota', quotaReservedData,
    'A slot of the creator daily Direct Post cap or pending-draft cap was reserved for a share.'),
  QuotaRejected: entry('QuotaRejected', 'tiktok.quota.rejected.v1', 'quota', quotaRejectedData,
    'A share was refused because a TikTok limit would be exceeded; retryAt says when a slot frees.'),
  QuotaReleased: entry('QuotaReleased', 'tiktok.quota.released.v1', 'quota', quotaReleasedData,
    'A reservation was returned unused.'),
  UploadInitialized: entry('UploadInitialized', 'tiktok.share.upload_initialized.v1', 'publisher', uploadInitializedData,
    'TikTok accepted the init call and returned a publish_id; the chunk plan is fixed.'),
  ChunkUploaded: entry('ChunkUploaded', 'tiktok.share.chunk_uploaded.v1', 'publisher', chunkUploadedData,
    'One chunk was acknowledged by TikTok (progress).'),
  PublishCompleted: entry('PublishCompleted', 'tiktok.share.publish_completed.v1', 'publisher', publishCompletedData,
    'The share finished: posted (direct) or delivered to the creator inbox (draft).'),
  PublishFailed: entry('PublishFailed', 'tiktok.share.publish_failed.v1', 'publisher', publishFailedData,
    'The share failed for good at the given stage.'),
} as const;

export type EventCatalogue = typeof eventCatalogue;
export type EventType = keyof EventCatalogue;
/** `data` of an event type, e.g. `EventData<'ShareRequested'>`. */
export type EventData<T extends EventType> = z.infer<EventCatalogue[T]['schema']>;
/** Full typed envelope of an event type. */
export type EventEnvelope<T extends EventType> = z.infer<EventCatalogue[T]['envelope']>;
/** Discriminated union (on `type`) of every catalogued envelope. */
export type IntegrationEvent = { [T in EventType]: EventEnvelope<T> }[EventType];

export const eventTypes = Object.keys(eventCatalogue) as EventType[];

/** Type guard for catalogue keys. */
export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventCatalogue, type);
}

/**
 * Subject of a catalogued event type.
 * @example subjectFor('ShareRequested') // 'tiktok.share.requested.v1'
 */
export function subjectFor(type: EventType): string {
  return eventCatalogue[type].subject;
}

/** JetStream stream of a producing service (same shape as the messaging port's `StreamDef`). */
export interface EventStreamDef {
  name: string;
  subjects: string[];
}

/** JetStream streams, one per producing service (NATS 2.9: plain subjects, no 2.10 features). */
export const streams: Record<Producer, EventStreamDef> = {
  auth: { name: 'TIKTOK_AUTH', subjects: ['tiktok.account.>'] },
  quota: { name: 'TIKTOK_QUOTA', subjects: ['tiktok.quota.>'] },
  publisher: { name: 'TIKTOK_PUBLISHER', subjects: ['tiktok.share.>'] },
};

export type EnvelopeErrorCode = 'malformed_event' | 'unknown_event_type' | 'invalid_event';

/**
 * Why a message could not be read as an integration event. Consumers `term()` these: they will
 * never parse, however often they are redelivered.
 */
export class EnvelopeError extends Error {
  readonly code: EnvelopeErrorCode;
  readonly issues: { path: string; message: string }[];
  constructor(code: EnvelopeErrorCode, message: string, issues: { path: string; message: string }[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EnvelopeError';
    this.code = code;
    this.issues = issues;
  }
}

const decoder = new TextDecoder();

/**
 * Parse and validate an envelope, including its type-specific `data` (unknown fields are
 * stripped: additive changes within a version must not break older readers).
 * @throws EnvelopeError
 * @example
 * const event = parseEnvelope(msg.data);
 * if (event.type === 'PublishCompleted') event.data.postIds; // string[]
 */
export function parseEnvelope(input: Uint8Array | string): IntegrationEvent {
  let json: unknown;
  try {
    json = JSON.parse(typeof input === 'string' ? input : decoder.decode(input));
  } catch (err) {
    throw new EnvelopeError('malformed_event', 'event is not valid JSON', [], { cause: err });
  }
  const base = parseWith(envelopeSchema, json);
  const { type, version } = base;
  if (!isEventType(type) || eventCatalogue[type].version !== version) {
    throw new EnvelopeError('unknown_event_type', `unknown event ${type} v${version}`);
  }
  return parseWith(eventCatalogue[type].envelope, json) as IntegrationEvent;
}

/**
 * Encode an envelope to bytes, validating it first (producers fail before publishing garbage).
 * @example bus.publish(subjectFor(e.type), encodeEnvelope(e), { msgId: e.id })
 */
export function encodeEnvelope(event: Envelope): Uint8Array {
  if (!isEventType(event.type)) throw new EnvelopeError('unknown_event_type', `unknown event ${event.type}`);
  const valid = parseWith(eventCatalogue[event.type].envelope, event);
  return new TextEncoder().encode(JSON.stringify(valid));
}


function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  throw new EnvelopeError('invalid_event', `invalid event: ${issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ')}`, issues);
}
