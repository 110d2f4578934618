/** Thin undici layer: one request function that turns transport failures into TikTokError. */
import { Readable } from 'node:stream';
import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import { TikTokError } from './errors.ts';

export type Timeouts = { connectMs: number; headersMs: number; bodyMs: number; keepAliveMs: number };

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 120_000, keepAliveMs: 30_000 };

/**
 * A keep-alive undici Agent with connect/headers/body timeouts.
 * @example const agent = createTikTokAgent({ headersMs: 5_000 });
 */
export function createTikTokAgent(timeouts: Partial<Timeouts> = {}): Agent {
  const t = { ...DEFAULT_TIMEOUTS, ...timeouts };
  return new Agent({ connect: { timeout: t.connectMs }, headersTimeout: t.headersMs, bodyTimeout: t.bodyMs, keepAliveTimeout: t.keepAliveMs });
}

export type HttpBody = string | Uint8Array | Readable | null;
export type HttpAnswer = { status: number; headers: Record<string, string | string[] | undefined>; text: string };

/** Sends one request; the body text is read fully (TikTok answers are small JSON). */
export async function send(
  dispatcher: Dispatcher,
  method: Dispatcher.HttpMethod,
  url: string,
  headers: Record<string, string>,
  body: HttpBody,
): Promise<HttpAnswer> {
  try {
    const res = await request(url, { method, headers, body, dispatcher });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  } catch (error) {
    throw transportError(error);
  }
}

function transportError(error: unknown): TikTokError {
  const timeout =
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError;
  // Never echo URLs or headers: upload URLs carry a token.
  const name = error instanceof Error ? error.name : 'Error';
  return new TikTokError({ code: timeout ? 'timeout' : 'network_error', httpStatus: 0, message: name, cause: error });
}

/** Adapts a web ReadableStream, an async iterable or bytes to something undici streams. */
export function toRequestBody(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Uint8Array): Uint8Array | Readable {
  if (body instanceof Uint8Array) return body;
  if (body instanceof ReadableStream) return Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
  return Readable.from(body);
}
