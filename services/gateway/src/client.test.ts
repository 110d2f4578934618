/** The typed client (@tiktok-share/client) against the real gateway app with stub services. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, createClient } from '@tiktok-share/client';
import { startHarness, type Harness } from './testing/harness.ts';
import { stubAccount, stubShare } from './testing/stub-services.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.state.accounts.set('a1', stubAccount('alice', 'a1'));
});
afterEach(() => h.close());

const clientFor = async (sub: string, roles: string[] = []) =>
  createClient({ baseUrl: 'http://gateway.test', token: await h.token(sub, roles), fetch: async (url, init) => h.app.fetch(new Request(url, init)) });

describe('@tiktok-share/client', () => {
  it('lists accounts, reads creator info and quota with parsed types', async () => {
    const c = await clientFor('alice');
    expect((await c.listAccounts()).accounts.map((a) => a.accountId)).toEqual(['a1']);
    expect((await c.creatorInfo('a1')).nickname).toBe('Public Creator');
    expect((await c.quota('a1')).daily.remaining).toBe(12);
    expect((await c.authUrl('/done')).state).toBe('s-alice');
  });

  it('creates a share idempotently and follows its events to the final view', async () => {
    const c = await clientFor('alice');
    const body = { accountId: 'a1', mode: 'direct' as const, video: { path: 'v.mp4' }, privacyLevel: 'SELF_ONLY' as const };
    const a = await c.createShare(body, { idempotencyKey: 'k' });
    const b = await c.createShare(body, { idempotencyKey: 'k' });
    expect(b.shareId).toBe(a.shareId);
    h.state.shares.get(a.shareId)!.status = 'published';
    const seen = [];
    for await (const e of c.shareEvents(a.shareId)) seen.push(e);
    expect(seen).toEqual([expect.objectContaining({ kind: 'share', share: expect.objectContaining({ status: 'published' }) })]);
    expect((await c.listShares({ limit: 5 })).items).toHaveLength(1);
  });

  it('throws ApiError with the stable code', async () => {
    h.state.shares.set('s1', stubShare('alice', 's1', 'a1'));
    const bob = await clientFor('bob');
    const err = await bob.getShare('s1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(404);
    expect((err as ApiError).code).toBe('not_found');
    const forbidden = await bob.admin.rebuild('quota').catch((e: unknown) => e);
    expect((forbidden as ApiError).code).toBe('forbidden');
  });

  it('admin calls and documents', async () => {
    const admin = await clientFor('root', ['admin']);
    await admin.admin.rebuild('publisher');
    expect((await admin.admin.events({ service: 'auth', limit: 10 })).items).toEqual([]);
    expect((await admin.openApi())['openapi']).toBe('3.1.0');
    expect(await admin.health()).toBe(true);
  });
});
