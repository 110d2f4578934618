import { describe, expect, it } from 'vitest';
import { AppError, conflict, isAppError, notFound, tooManyRequests, validationFailed } from './errors.ts';

describe('AppError', () => {
  it('keeps code, status, extra and cause, and serialises flat', () => {
    const cause = new Error('root');
    const e = new AppError('reauthorization_required', 409, 'Reconnect the account', { accountId: 'a' }, { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.cause).toBe(cause);
    expect(e.toJSON()).toEqual({ code: 'reauthorization_required', status: 409, message: 'Reconnect the account', accountId: 'a' });
  });

  it('helpers produce the DESIGN codes and statuses', () => {
    expect(notFound()).toMatchObject({ code: 'not_found', status: 404 });
    expect(validationFailed([{ path: 'title', message: 'too long' }])).toMatchObject({ code: 'validation_failed', status: 400, extra: { errors: [{ path: 'title', message: 'too long' }] } });
    expect(conflict('idempotency_key_reused', 'x')).toMatchObject({ status: 409, code: 'idempotency_key_reused' });
    expect(tooManyRequests('daily_limit_reached', 'x', '2025-01-01T00:00:00.000Z')).toMatchObject({ status: 429, extra: { retryAt: '2025-01-01T00:00:00.000Z' } });
  });

  it('recognises AppError-shaped errors from another module instance, not plain errors', () => {
    const foreign = Object.assign(new Error('x'), { name: 'AppError', code: 'not_found', status: 404, extra: {} });
    expect(isAppError(foreign)).toBe(true);
    expect(isAppError(new Error('x'))).toBe(false);
    expect(isAppError({ code: 'not_found', status: 404 })).toBe(false);
  });
});
