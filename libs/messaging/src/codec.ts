/** JSON ⇄ bytes for message payloads. One encoder/decoder pair for the whole lib. */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * @example
 * await bus.publish('tiktok.share.requested.v1', encodeJson(envelope), { msgId: envelope.id });
 */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/**
 * Parses a payload; throws `SyntaxError` on malformed JSON (callers `term()` such messages:
 * they can never succeed). Returns `unknown`: validate with a zod schema at the edge.
 * @example
 * const envelope = EnvelopeSchema.parse(decodeJson(msg.data));
 */
export function decodeJson(data: Uint8Array): unknown {
  return JSON.parse(decoder.decode(data));
}
