import { describe, expect, it } from 'vitest';
import {
  adminEventsQuerySchema, authUrlQuerySchema, isSafeReturnTo, shareListQuerySchema, shareRequestBodySchema,
  shareViewSchema, problemSchema, quotaViewSchema,
} from './index.ts';

const direct = { accountId: 'acc-1', mode: 'direct', video: { path: 'a.mp4' }, privacyLevel: 'SELF_ONLY' };

describe('share request body', () => {
  it('applies the documented defaults (booleans false, isAigc true, empty title)', () => {
    const body = shareRequestBodySchema.parse(direct);
    expect(body).toMatchObject({
      title: '', disableComment: false, disableDuet: false, disableStitch: false, brandContent: false, brandOrganic: false, isAigc: true,
    });
    expect(body.coverTimestampMs).toBeUndefined();
  });

  it('requires privacyLevel for direct mode only', () => {
    const { privacyLevel: _p, ...noPrivacy } = direct;
    const result = shareRequestBodySchema.safeParse(noPrivacy);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['privacyLevel']);
    expect(shareRequestBodySchema.safeParse({ ...noPrivacy, mode: 'draft' }).success).toBe(true);
    expect(shareRequestBodySchema.safeParse({ ...direct, privacyLevel: 'EVERYONE' }).success).toBe(false);
  });

  it('counts title length in UTF-16 code units: an emoji counts 2', () => {
    expect(shareRequestBodySchema.safeParse({ ...direct, title: 'a'.repeat(2200) }).success).toBe(true);
    expect(shareRequestBodySchema.safeParse({ ...direct, title: 'a'.repeat(2201) }).success).toBe(false);
    expect('😀'.length).toBe(2);
    expect(shareRequestBodySchema.safeParse({ ...direct, title: '😀'.repeat(1100) }).success).toBe(true);
    expect(shareRequestBodySchema.safeParse({ ...direct, title: `${'😀'.repeat(1100)}a` }).success).toBe(false);
  });

  it('takes exactly one video source, path or http(s) url', () => {
    expect(shareRequestBodySchema.safeParse({ ...direct, video: { url: 'https://cdn.example.com/v/1.mp4' } }).success).toBe(true);
    expect(shareRequestBodySchema.safeParse({ ...direct, video: { path: 'a.mp4', url: 'https://x.example/a.mp4' } }).success).toBe(false);
    expect(shareRequestBodySchema.safeParse({ ...direct, video: { url: 'file:///etc/passwd' } }).success).toBe(false);
    expect(shareRequestBodySchema.safeParse({ ...direct, video: {} }).success).toBe(false);
    expect(shareRequestBodySchema.safeParse({ ...direct, video: { path: '' } }).success).toBe(false);
  });

  it('wants coverTimestampMs as a non-negative integer', () => {
    expect(shareRequestBodySchema.parse({ ...direct, coverTimestampMs: 0 }).coverTimestampMs).toBe(0);
    expect(shareRequestBodySchema.safeParse({ ...direct, coverTimestampMs: -1 }).success).toBe(false);
    expect(shareRequestBodySchema.safeParse({ ...direct, coverTimestampMs: 1.5 }).success).toBe(false);
  });
});

describe('returnTo', () => {
  it.each(['//evil.com', '/\\evil.com', 'https://evil.com/', 'javascript:alert(1)', 'evil', '', '/%2F%2Fevil.com', '/a\nb'])(
    'rejects %j with code invalid_return_to',
    (value) => {
      expect(isSafeReturnTo(value)).toBe(false);
      const result = authUrlQuerySchema.safeParse({ returnTo: value });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]).toMatchObject({ params: { code: 'invalid_return_to' } });
    },
  );

  it('accepts relative paths and defaults to /', () => {
    expect(authUrlQuerySchema.parse({ returnTo: '/studio/share?x=1#top' }).returnTo).toBe('/studio/share?x=1#top');
    expect(authUrlQuerySchema.parse({}).returnTo).toBe('/');
  });
});

describe('list queries', () => {
  it('coerces limit from the query string within 1..100, default 20', () => {
    expect(shareListQuerySchema.parse({}).limit).toBe(20);
    expect(shareListQuerySchema.parse({ limit: '100' }).limit).toBe(100);
    for (const bad of ['0', '101', '2.5', 'x']) expect(shareListQuerySchema.safeParse({ limit: bad }).success).toBe(false);
    expect(shareListQuerySchema.safeParse({ status: 'deleted' }).success).toBe(false);
  });

  it('admin events need a known service', () => {
    expect(adminEventsQuerySchema.parse({ service: 'quota' })).toMatchObject({ service: 'quota', limit: 100 });
    expect(adminEventsQuerySchema.safeParse({ service: 'gateway' }).success).toBe(false);
  });
});

describe('views', () => {
  it('share view carries post ids as strings', () => {
    const view = {
      shareId: 's', accountId: 'a', mode: 'direct', status: 'published', title: '', privacyLevel: 'SELF_ONLY', publishId: 'p',
      videoSize: 10, uploadedBytes: 10, chunksUploaded: 1, totalChunks: 1, postIds: ['7300000000000000001'], failure: null,
      createdAt: '2025-01-01T00:00:00Z', updatedAt: '2025-01-01T00:00:00Z',
    };
    expect(shareViewSchema.parse(view).postIds).toEqual(['7300000000000000001']);
    expect(shareViewSchema.safeParse({ ...view, postIds: [7300000000000000001] }).success).toBe(false);
  });

  it('problem keeps extra top-level fields and quota view accepts partial rate maps', () => {
    const problem = problemSchema.parse({ type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'd', code: 'daily_limit_reached', requestId: 'r', retryAt: '2025-01-01T00:00:00Z', limit: 15 });
    expect(problem).toMatchObject({ limit: 15, retryAt: '2025-01-01T00:00:00Z' });
    const quota = { daily: { limit: 15, used: 1, remaining: 14, resetsAt: null }, drafts: { limit: 5, pending: 0 }, rate: { video_init: { limit: 6, used: 1, resetsAt: null } } };
    expect(quotaViewSchema.parse(quota)).toEqual(quota);
    expect(quotaViewSchema.safeParse({ ...quota, rate: { upload: { limit: 1, used: 0, resetsAt: null } } }).success).toBe(false);
  });
});
