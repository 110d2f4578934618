import { pino, type Logger } from 'pino';

/** The logger the adapters write to: any pino logger (child loggers welcome). */
export type BusLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/**
 * Fallback when the caller passes no logger: warnings and errors still reach stderr, because a
 * terminated poison message must never vanish silently.
 */
export function defaultLogger(): BusLogger {
  return pino({ base: { lib: 'messaging' }, level: 'warn' }, pino.destination(2));
}
