/**
 * RFC 9457 problem+json rendering: one `onError` for every Hono app. Known errors keep their
 * status and stable `code`; anything unknown becomes a generic 500 and the real error goes only
 * to the log (it may hold internals, never show them to clients).
 */
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { $ZodError } from 'zod/v4/core';
import { AppError, internalError, isAppError, validationFailed, type FieldError } from './errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

const HTTP_CODES: Record<number, string> = {
  401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 413: 'payload_too_large',
  415: 'unsupported_media_type', 429: 'too_many_requests', 503: 'service_unavailable',
};

/** Zod issues → `[{ path, message }]` with dotted paths (`video.url`, `postIds.0`). */
export function zodFieldErrors(error: $ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/**
 * A zod failure as AppError: 400 `validation_failed`, unless an issue names its own code through
 * `params.code` (e.g. contracts' returnTo → `invalid_return_to`), which then becomes the code.
 */
export function zodToAppError(error: $ZodError): AppError {
  const base = validationFailed(zodFieldErrors(error));
  const custom = error.issues.map((i) => (i.code === 'custom' ? i.params?.code : undefined)).find((c) => typeof c === 'string');
  return typeof custom === 'string' ? new AppError(custom, 400, base.message, base.extra) : base;
}

/** Any thrown value → the AppError to render. */
export function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  if (err instanceof $ZodError) return zodToAppError(err);
  if (err instanceof HTTPException) {
    // Hono raises 400 HTTPExceptions for malformed bodies (bad JSON): that is malformed input.
    if (err.status === 400) return validationFailed([{ path: '', message: err.message || 'Malformed request' }]);
    const code = HTTP_CODES[err.status] ?? (err.status >= 500 ? 'internal_error' : 'http_error');
    return new AppError(code, err.status, err.status >= 500 ? 'An unexpected error occurred' : err.message || STATUS_TITLES[err.status] || 'Error');
  }
  return internalError({ cause: err });
}

export interface ProblemOptions {
  logger?: Logger | undefined;
  /** Prefix of `type` URIs (`${typeBase}${code}`); `about:blank` when absent. */
  typeBase?: string | undefined;
}

/**
 * Render an error as problem+json; `requestId` from `c.get('requestId')` when set.
 * @example return problemResponse(c, notFound());
 */
export function problemResponse(c: Context, err: unknown, opts: ProblemOptions = {}): Response {
  const e = toAppError(err);
  const requestId = (c.get('requestId') as string | undefined) ?? '';
  const body = {
    ...e.extra,
    type: opts.typeBase ? `${opts.typeBase}${e.code}` : 'about:blank',
    title: STATUS_TITLES[e.status] ?? 'Error',
    status: e.status,
    detail: e.message,
    code: e.code,
    requestId,
  };
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
  if (e.status === 401) headers['www-authenticate'] = 'Bearer';
  if (e.status === 429 && typeof e.extra.retryAt === 'string') {
    const seconds = Math.max(0, Math.ceil((Date.parse(e.extra.retryAt) - Date.now()) / 1000));
    if (Number.isFinite(seconds)) headers['retry-after'] = String(seconds);
  }
  return c.body(JSON.stringify(body), e.status as ContentfulStatusCode, headers);
}

/**
 * `app.onError(problemJson({ logger }))`. 5xx are logged at error level with the full error.
 */
export function problemJson(opts: ProblemOptions = {}): ErrorHandler {
  return (err, c) => {
    const e = toAppError(err);
    if (e.status >= 500) opts.logger?.error({ err, requestId: c.get('requestId') as string | undefined, path: c.req.path }, 'request failed');
    return problemResponse(c, e, opts);
  };
}

/** `app.notFound(problemNotFound)`: unmatched routes answer a 404 problem too. */
export function problemNotFound(c: Context): Response {
  return problemResponse(c, new AppError('not_found', 404, 'No such route'));
}
