/** Response helpers: TikTok's Open API envelope, the flat OAuth error, log ids. */
import { randomBytes } from 'node:crypto';
import type { EmulatorState } from './state.ts';

/** 14-digit UTC timestamp + hex, like TikTok's log ids. */
export function logId(state: EmulatorState): string {
  const ts = new Date(state.now()).toISOString().replace(/[-:TZ.]/g, '').slice(0, 14);
  return `${ts}${randomBytes(10).toString('hex').toUpperCase()}`;
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

/** `{data, error:{code:'ok'}}` with an optional raw-JSON data text (for unquoted int64 ids). */
export function ok(state: EmulatorState, data: Record<string, unknown> | string | null): Response {
  const error = JSON.stringify({ code: 'ok', message: '', log_id: logId(state) });
  const dataText = typeof data === 'string' ? data : data === null ? null : JSON.stringify(data);
  const body = dataText === null ? `{"error":${error}}` : `{"data":${dataText},"error":${error}}`;
  return new Response(body, { status: 200, headers: JSON_TYPE });
}

/** `{data:{}, error:{code,message,log_id}}` with the documented HTTP status. */
export function apiError(state: EmulatorState, status: number, code: string, message: string): Response {
  const body = JSON.stringify({ data: {}, error: { code, message, log_id: logId(state) } });
  return new Response(body, { status, headers: JSON_TYPE });
}

/** Flat OAuth error; HTTP 200 unless configured otherwise (TikTok quirk, reference §1.6). */
export function oauthError(state: EmulatorState, error: string, description: string): Response {
  const body = JSON.stringify({ error, error_description: description, log_id: logId(state) });
  return new Response(body, { status: state.settings.oauthErrorStatus, headers: JSON_TYPE });
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_TYPE });
}
