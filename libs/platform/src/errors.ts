/**
 * The one error type that crosses boundaries: HTTP (rendered as problem+json by `problemJson`)
 * and NATS RPC (serialised by libs/messaging rpc and rethrown on the caller's side). `code` is a
 * stable snake_case identifier clients may switch on; `extra` holds top-level problem fields such
 * as `retryAt` or `errors`. Never put tokens or secrets in `message` or `extra`.
 */

/** Extra problem fields, rendered at the top level of the problem+json body. */
export type ErrorExtra = Record<string, unknown>;

/** One failing input location, as rendered in `errors` of a `validation_failed` problem. */
export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly extra: ErrorExtra;

  /**
   * @example
   * throw new AppError('daily_limit_reached', 429, 'Daily post limit reached', { retryAt });
   */
  constructor(code: string, status: number, message: string, extra: ErrorExtra = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.extra = extra;
  }

  /** Plain JSON form (for RPC replies and logs): `{ code, message, status, ...extra }`. */
  toJSON(): ErrorExtra & { code: string; message: string; status: number } {
    return { ...this.extra, code: this.code, message: this.message, status: this.status };
  }
}

/** Type guard that also works across duplicated module instances (checks the shape). */
export function isAppError(err: unknown): err is AppError {
  if (err instanceof AppError) return true;
  if (!(err instanceof Error)) return false;
  const e = err as Error & { code?: unknown; status?: unknown; extra?: unknown };
  return e.name === 'AppError' && typeof e.code === 'string' && typeof e.status === 'number' && typeof e.extra === 'object';
}

/** 404 `not_found`. Used for unknown *and* foreign resources, so ownership never leaks. */
export function notFound(message = 'Resource not found'): AppError {
  return new AppError('not_found', 404, message);
}

/** 400 `validation_failed` with `errors: [{ path, message }]`. */
export function validationFailed(errors: FieldError[], message = 'The request is not valid'): AppError {
  return new AppError('validation_failed', 400, message, { errors });
}

/** 401 `unauthorized`: missing, malformed, expired or badly signed bearer token. */
export function unauthorized(message = 'A valid bearer token is required', cause?: unknown): AppError {
  return new AppError('unauthorized', 401, message, {}, cause === undefined ? undefined : { cause });
}

/** 403 `forbidden`: authenticated but lacking a role. */
export function forbidden(message = 'You are not allowed to do this'): AppError {
  return new AppError('forbidden', 403, message);
}

/** 409 with a specific code, e.g. `idempotency_key_reused`, `reauthorization_required`. */
export function conflict(code: string, message: string, extra: ErrorExtra = {}): AppError {
  return new AppError(code, 409, message, extra);
}

/** 422 with a specific code, e.g. `privacy_level_not_allowed`. */
export function unprocessable(code: string, message: string, extra: ErrorExtra = {}): AppError {
  return new AppError(code, 422, message, extra);
}

/** 429 with a specific code and the ISO time at which trying again can succeed. */
export function tooManyRequests(code: string, message: string, retryAt: string, extra: ErrorExtra = {}): AppError {
  return new AppError(code, 429, message, { ...extra, retryAt });
}

/** 413 `payload_too_large`. */
export function payloadTooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', 413, `The request body exceeds ${maxBytes} bytes`, { maxBytes });
}

/** 500 `internal_error` with a generic message; the real cause only goes to the log. */
export function internalError(options?: { cause?: unknown }): AppError {
  return new AppError('internal_error', 500, 'An unexpected error occurred', {}, options);
}
