/**
 * problem+json (RFC 9457) rendering for the gateway's one `onError`. AppError codes pass through
 * unchanged (including those rethrown by callRpc from a service); anything else becomes a generic
 * 500 whose cause is only logged.
 */
import { isAppError, type AppError } from '@tiktok-share/platform/errors.ts';

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  413: 'Content Too Large', 422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** Body of a problem response; `extra` fields sit at the top level (retryAt, errors, ...). */
export function problemBody(err: AppError, requestId: string): Record<string, unknown> {
  return {
    ...err.extra,
    type: `https://docs.tiktok-share.dev/problems/${err.code}`,
    title: TITLES[err.status] ?? 'Error',
    status: err.status,
    detail: err.message,
    code: err.code,
    requestId,
  };
}

/** A ready Response; status outside 4xx/5xx is clamped to 500 (a service bug must not look like success). */
export function problemResponse(err: AppError, requestId: string): Response {
  const status = err.status >= 400 && err.status <= 599 ? err.status : 500;
  return new Response(JSON.stringify(problemBody(err, requestId)), {
    status,
    headers: { 'content-type': 'application/problem+json', 'x-request-id': requestId },
  });
}

export { isAppError };
