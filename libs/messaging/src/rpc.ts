/**
 * Commands and queries over request/reply, with one reply envelope (docs/internals.md):
 * `{ ok: true, result } | { ok: false, error: { code, message, status, ...extra } }`.
 *
 * A thrown `AppError` crosses the wire as is and is rethrown by `callRpc`, so the gateway renders
 * a service's error as problem+json unchanged. Anything else becomes `internal_error` 500 with a
 * generic message: stack traces, SQL and upstream bodies stay in the responder's log.
 *
 * Validation happens once per direction, each at its receiver's trust boundary: `serveRpc` parses
 * the input (anything on the bus may be malformed or from another version) and does not check its
 * own result; `callRpc` parses the reply against the caller's schema (the responder may run another
 * version of the contract). Dropping either would let a bad message through a process boundary, and
 * both together cost a few µs of a ~200 µs gateway request (measured with
 * services/gateway/bench/share-view.profile.ts), so both stay.
 */
import type { z } from 'zod';
import { AppError, internalError, isAppError, validationFailed, type FieldError } from '@tiktok-share/platform/errors.ts';
import type { Bus, Subscription } from './port.ts';
import { RequestTimeoutError } from './port.ts';
import { decodeJson, encodeJson } from './codec.ts';
import { defaultLogger, type BusLogger } from './logger.ts';

export interface RpcErrorBody {
  code: string;
  message: string;
  status: number;
  [extra: string]: unknown;
}

export type RpcReply<T> = { ok: true; result: T } | { ok: false; error: RpcErrorBody };

/** What a handler learns about the request besides its input. */
export interface RpcContext {
  subject: string;
  headers: Record<string, string>;
  logger: BusLogger;
}

export interface ServeRpcOptions {
  /** Queue group: the service name, so instances share the load. */
  queue: string;
  logger?: BusLogger;
}

/**
 * Serves one RPC op: validates the input, runs the handler, replies with the envelope.
 * @example
 * await serveRpc(bus, 'tiktok.rpc.auth.accounts.get', GetAccountInput, (input) => getAccount(deps, input), { queue: 'auth-service', logger });
 */
export async function serveRpc<S extends z.ZodType, O>(
  bus: Bus,
  subject: string,
  inputSchema: S,
  handler: (input: z.output<S>, ctx: RpcContext) => Promise<O> | O,
  opts: ServeRpcOptions,
): Promise<Subscription> {
  const logger = opts.logger ?? defaultLogger();
  return bus.respond(subject, async (data, headers) => {
    const reply = await answer(data, headers, subject, inputSchema, handler, logger);
    return encodeJson(reply);
  }, { queue: opts.queue });
}

async function answer<S extends z.ZodType, O>(
  data: Uint8Array, headers: Record<string, string>, subject: string, inputSchema: S,
  handler: (input: z.output<S>, ctx: RpcContext) => Promise<O> | O, logger: BusLogger,
): Promise<RpcReply<O>> {
  try {
    const input = parseInput(data, inputSchema);
    const result = await handler(input, { subject, headers, logger });
    return { ok: true, result };
  } catch (err) {
    if (isAppError(err)) return { ok: false, error: errorBody(err) };
    logger.error({ err, subject }, 'rpc handler failed');
    return { ok: false, error: errorBody(internalError()) };
  }
}

function parseInput<S extends z.ZodType>(data: Uint8Array, schema: S): z.output<S> {
  let raw: unknown;
  try {
    raw = decodeJson(data);
  } catch {
    throw validationFailed([{ path: '', message: 'The request is not valid JSON' }]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationFailed(parsed.error.issues.map(toFieldError));
  return parsed.data;
}

function toFieldError(issue: { path: PropertyKey[]; message: string }): FieldError {
  return { path: issue.path.map(String).join('.'), message: issue.message };
}

function errorBody(err: AppError): RpcErrorBody {
  return { ...err.extra, code: err.code, message: err.message, status: err.status };
}

export interface CallRpcOptions {
  /** Default 5000 ms. */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/**
 * Calls an RPC op and returns its validated result. Failures are rethrown as `AppError` (the
 * responder's code, status and extra fields); no reply in time is `service_unavailable` 503
 * with the `RequestTimeoutError` as cause.
 * @example
 * const account = await callRpc(bus, 'tiktok.rpc.auth.accounts.get', { userId, accountId }, AccountSchema);
 */
export async function callRpc<S extends z.ZodType>(
  bus: Bus, subject: string, input: unknown, outputSchema: S, opts: CallRpcOptions = {},
): Promise<z.output<S>> {
  let data: Uint8Array;
  try {
    data = await bus.request(subject, encodeJson(input), {
      timeoutMs: opts.timeoutMs ?? 5000,
      ...(opts.headers ? { headers: opts.headers } : {}),
    });
  } catch (err) {
    if (err instanceof RequestTimeoutError) {
      throw new AppError('service_unavailable', 503, 'The service did not answer in time', {}, { cause: err });
    }
    throw err;
  }
  const reply = decodeReply(data, subject);
  if (!reply.ok) {
    const { code, message, status, ...extra } = reply.error;
    throw new AppError(code, status, message, extra);
  }
  const parsed = outputSchema.safeParse(reply.result);
  if (!parsed.success) {
    throw new AppError('internal_error', 500, 'An unexpected error occurred', {}, { cause: new Error(`reply on ${subject} does not match its schema`, { cause: parsed.error }) });
  }
  return parsed.data;
}

/** Checks the envelope's shape without trusting the responder. */
function decodeReply(data: Uint8Array, subject: string): RpcReply<unknown> {
  const bad = () => new AppError('internal_error', 500, 'An unexpected error occurred', {}, { cause: new Error(`malformed reply on ${subject}`) });
  let raw: unknown;
  try { raw = decodeJson(data); } catch { throw bad(); }
  if (typeof raw !== 'object' || raw === null) throw bad();
  const r = raw as { ok?: unknown; result?: unknown; error?: unknown };
  if (r.ok === true) return { ok: true, result: r.result };
  const e = r.error as Partial<RpcErrorBody> | undefined;
  if (r.ok === false && e && typeof e.code === 'string' && typeof e.status === 'number' && typeof e.message === 'string') {
    return { ok: false, error: e as RpcErrorBody };
  }
  throw bad();
}
