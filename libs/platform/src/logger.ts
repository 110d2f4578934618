/**
 * One pino root logger per process (`base: { service }`), children per request / message.
 * Redaction is the last line of defence for DESIGN §7 "secrets stay secret": code should never
 * log tokens in the first place, but if an object holding one is logged, the value is censored.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger } from 'pino';

/** Field names whose values are secret wherever they appear (OAuth `code` and `state` included: both grant a connection until used). */
export const SECRET_KEYS = [
  'accessToken', 'refreshToken', 'access_token', 'refresh_token', 'token', 'idToken', 'id_token',
  'secret', 'client_secret', 'clientSecret', 'password', 'code', 'state', 'authorization', 'cookie', 'upload_url', 'uploadUrl',
] as const;

const DEPTH = 4;

/**
 * fast-redact paths: each key at the top level and under up to `DEPTH` wildcard levels, plus the
 * request/response header locations pino-http style loggers use.
 */
export function redactPaths(keys: readonly string[] = SECRET_KEYS, depth = DEPTH): string[] {
  const paths: string[] = [];
  for (const key of keys) {
    for (let d = 0; d <= depth; d += 1) paths.push([...Array<string>(d).fill('*'), key].join('.'));
  }
  paths.push('req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie', 'res.headers["set-cookie"]');
  return paths;
}

export interface LoggerOptions {
  service: string;
  level?: LogLevel | undefined;
  /** Where lines go (default stdout). Tests pass a collecting stream. */
  destination?: DestinationStream | undefined;
}

/**
 * Keep an error's own `code` (ECONNREFUSED, not_found…) under `errorCode`: `*.code` is redacted
 * because of OAuth authorization codes, but error codes are what an operator needs.
 */
function errSerializer(err: unknown): unknown {
  const out = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  if (typeof out.code === 'string' || typeof out.code === 'number') out.errorCode = out.code;
  return out;
}

/**
 * @example
 * const log = createLogger({ service: 'publisher', level: config.logLevel });
 * log.child({ shareId }).info('chunk uploaded');
 */
export function createLogger(opts: LoggerOptions): Logger {
  const options = {
    level: opts.level ?? 'info',
    base: { service: opts.service },
    redact: { paths: redactPaths(), censor: '[redacted]' },
    serializers: { err: errSerializer, error: errSerializer },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
