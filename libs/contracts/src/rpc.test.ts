import { describe, expect, it } from 'vitest';
import { adminRpc, quotaAcquire, rpcOps, publisherSharesCreate, authToken } from './rpc.ts';

describe('rpc catalogue', () => {
  it('uses unique tiktok.rpc.<service>.<op> subjects', () => {
    const subjects = [
      ...Object.values(rpcOps).map((o) => o.subject),
      ...(['auth', 'quota', 'publisher'] as const).flatMap((s) => Object.values(adminRpc(s)).map((o) => o.subject)),
    ];
    for (const s of subjects) expect(s).toMatch(/^tiktok\.rpc\.(auth|quota|publisher)\.[a-z.-]+$/);
    expect(new Set(subjects).size).toBe(subjects.length);
    expect(adminRpc('quota').events.subject).toBe('tiktok.rpc.quota.admin.events');
    expect(adminRpc('publisher').health.subject).toBe('tiktok.rpc.publisher.health');
    expect(() => adminRpc('gateway' as 'auth')).toThrow();
  });

  it('parses the acquire answer as a discriminated union', () => {
    expect(quotaAcquire.output.parse({ granted: false, waitMs: 1200 })).toEqual({ granted: false, waitMs: 1200 });
    expect(quotaAcquire.output.safeParse({ granted: false }).success).toBe(false);
    expect(quotaAcquire.input.safeParse({ tokenKey: 'k', endpoint: 'upload' }).success).toBe(false);
  });

  it('validates the nested share request (defaults applied) in shares.create', () => {
    const input = publisherSharesCreate.input.parse({
      userId: 'u', idempotencyKey: 'k', request: { accountId: 'a', mode: 'draft', video: { path: 'x.mp4' } },
    });
    expect(input.request.isAigc).toBe(true);
    expect(publisherSharesCreate.input.safeParse({ userId: 'u', idempotencyKey: '', request: input.request }).success).toBe(false);
  });

  it('token op requires an access token in the answer (internal only)', () => {
    expect(authToken.output.safeParse({ openId: 'o', scopes: [], accessExpiresAt: '2025-01-01T00:00:00Z' }).success).toBe(false);
  });

  it('rebuild-status: the CLI fields are required, the rest additive', () => {
    const op = adminRpc('auth').rebuildStatus;
    expect(op.subject).toBe('tiktok.rpc.auth.admin.rebuild-status');
    expect(op.output.parse({ running: true, processed: 5, total: null })).toEqual({ running: true, processed: 5, total: null });
    const full = { running: false, processed: 9, total: 9, state: 'done', startedAt: '2025-01-01T00:00:00.000Z', finishedAt: '2025-01-01T00:00:01.000Z' };
    expect(op.output.parse(full)).toEqual(full);
    expect(op.output.safeParse({ running: false, processed: -1, total: 0 }).success).toBe(false);
    expect(op.output.safeParse({ running: false, processed: 0, total: 0, state: 'paused' }).success).toBe(false);
  });
});
