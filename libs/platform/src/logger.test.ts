import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { createLogger } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, destination };
}

const SECRETS = ['act.SECRET-access', 'rft.SECRET-refresh', 'Bearer SECRET-jwt', 'SECRET-client', 'SECRET-oauth-code', 'SECRET-tok', 'SECRET-deep'];

describe('createLogger', () => {
  it('redacts tokens, secrets, codes and authorization headers at any reasonable depth', () => {
    const { lines, destination } = capture();
    const log = createLogger({ service: 'auth', level: 'debug', destination });
    log.info({ accessToken: SECRETS[0], account: { refreshToken: SECRETS[1] } }, 'top and nested');
    log.info({ req: { method: 'GET', headers: { authorization: SECRETS[2] } } }, 'request');
    log.info({ body: { client_secret: SECRETS[3], code: SECRETS[4] }, tiktok: { data: { access_token: SECRETS[0] } } }, 'oauth');
    log.child({ shareId: 's-1' }).debug({ a: { b: { c: { token: SECRETS[5], secret: SECRETS[6] } } } }, 'deep');
    const out = lines.join('');
    expect(lines).toHaveLength(4);
    for (const secret of SECRETS) expect(out).not.toContain(secret.replace('Bearer ', ''));
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(8);
    const first = JSON.parse(lines[0] ?? '{}');
    expect(first).toMatchObject({ service: 'auth', msg: 'top and nested', accessToken: '[redacted]', account: { refreshToken: '[redacted]' } });
    expect(JSON.parse(lines[3] ?? '{}')).toMatchObject({ shareId: 's-1', a: { b: { c: { token: '[redacted]' } } } });
  });

  it('keeps error stacks and the error code under errorCode', () => {
    const { lines, destination } = capture();
    const log = createLogger({ service: 'gateway', destination });
    log.error({ err: new AppError('not_found', 404, 'missing', {}, { cause: new Error('root cause') }) }, 'failed');
    const line = JSON.parse(lines[0] ?? '{}');
    expect(line.err).toMatchObject({ type: 'AppError', errorCode: 'not_found' });
    expect(line.err.message).toMatch(/^missing/);
    expect(line.err.stack).toContain('AppError');
    expect(JSON.stringify(line)).toContain('root cause');
  });

  it('respects the level', () => {
    const { lines, destination } = capture();
    const log = createLogger({ service: 'quota', level: 'warn', destination });
    log.info('hidden');
    log.warn('shown');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
  });
});
