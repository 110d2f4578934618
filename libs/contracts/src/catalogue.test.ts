import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  EnvelopeError, encodeEnvelope, eventCatalogue, eventTypes, parseEnvelope, streams, subjectFor, type EventData, type EventType,
} from './index.ts';

const at = '2025-01-02T03:04:05.000Z';

/** A valid `data` per event type (one place, so a schema change breaks this test loudly). */
const samples: { [T in EventType]: EventData<T> } = {
  AccountConnected: { accountId: 'acc-1', userId: 'u-1', openId: 'open-1', displayName: 'Ann', avatarUrl: null, scopes: ['video.publish'] },
  AccountTokenRefreshed: { accountId: 'acc-1', accessExpiresAt: at, refreshExpiresAt: at },
  AccountDisconnected: { accountId: 'acc-1', userId: 'u-1', openId: 'open-1', reason: 'connected_elsewhere' },
  ShareRequested: {
    shareId: 's-1', userId: 'u-1', accountId: 'acc-1', mode: 'direct',
    video: { source: { path: 'campaigns/spring.mp4' }, size: 10_000_000, container: 'mp4' },
    postSettings: {
      title: 'hi', privacyLevel: 'SELF_ONLY', disableComment: false, disableDuet: false, disableStitch: false,
      coverTimestampMs: 1000, brandContent: false, brandOrganic: false, isAigc: true,
    },
  },
  QuotaReserved: { shareId: 's-1', openId: 'open-1', accountId: 'acc-1', kind: 'daily_post', used: 3, limit: 15, windowStartsAt: at },
  QuotaRejected: {
    shareId: 's-1', openId: 'open-1', accountId: 'acc-1', kind: 'pending_draft', used: 5, limit: 5, windowStartsAt: at,
    code: 'pending_drafts_limit_reached', retryAt: at,
  },
  QuotaReleased: { shareId: 's-1', openId: 'open-1', reason: 'publish_failed' },
  UploadInitialized: {
    shareId: 's-1', publishId: 'v_pub_1', mode: 'draft', source: 'FILE_UPLOAD', videoSize: 12_000_000, chunkSize: 6_000_000, totalChunks: 2,
  },
  ChunkUploaded: { shareId: 's-1', publishId: 'v_pub_1', chunkIndex: 0, totalChunks: 2, uploadedBytes: 6_000_000, videoSize: 12_000_000 },
  PublishCompleted: { shareId: 's-1', publishId: 'v_pub_1', mode: 'direct', postIds: ['7300000000000000001'], completedAt: at },
  PublishFailed: { shareId: 's-1', code: 'spam_risk_too_many_posts', message: 'Daily cap reached at TikTok', retryable: false, stage: 'init' },
};

function envelope<T extends EventType>(type: T, data: unknown = samples[type]) {
  return {
    id: '0b7c1f1e-3a52-4c8e-9d0a-1c2b3d4e5f60', type, version: 1, streamId: 'share-s-1', streamVersion: 1,
    occurredAt: at, correlationId: 's-1', causationId: null, data,
  };
}
const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('event catalogue', () => {
  it('names every subject tiktok.<aggregate>.<event>.v<version> inside its producer stream', () => {
    expect(eventTypes).toHaveLength(11);
    for (const type of eventTypes) {
      const e = eventCatalogue[type];
      expect(e.subject).toMatch(/^tiktok\.(account|share|quota)\.[a-z_]+\.v1$/);
      expect(e.subject.endsWith(`.v${e.version}`)).toBe(true);
      const prefix = (streams[e.producer].subjects[0] ?? 'missing').replace('>', '');
      expect(e.subject.startsWith(prefix)).toBe(true);
    }
    expect(subjectFor('ChunkUploaded')).toBe('tiktok.share.chunk_uploaded.v1');
    expect(subjectFor('AccountTokenRefreshed')).toBe('tiktok.account.token_refreshed.v1');
    expect(new Set(eventTypes.map(subjectFor)).size).toBe(11);
  });

  it('parses a valid envelope of every type with its typed data', () => {
    for (const type of eventTypes) {
      const event = parseEnvelope(bytes(envelope(type)));
      expect(event.type).toBe(type);
      expect(event.data).toEqual(samples[type]);
    }
  });

  it('rejects data that does not match the type, with the failing path', () => {
    const bad = envelope('ChunkUploaded', { ...samples.ChunkUploaded, chunkIndex: -1 });
    const err = catchError(() => parseEnvelope(bytes(bad)));
    expect(err).toBeInstanceOf(EnvelopeError);
    expect(err.code).toBe('invalid_event');
    expect(err.issues.map((i) => i.path)).toContain('data.chunkIndex');
  });

  it('rejects an unknown reason, unknown type, wrong version and malformed JSON', () => {
    const reason = envelope('AccountDisconnected', { ...samples.AccountDisconnected, reason: 'bored' });
    expect(catchError(() => parseEnvelope(bytes(reason))).code).toBe('invalid_event');
    expect(catchError(() => parseEnvelope(bytes({ ...envelope('ShareRequested'), type: 'ShareDeleted' }))).code).toBe('unknown_event_type');
    expect(catchError(() => parseEnvelope(bytes({ ...envelope('ShareRequested'), version: 2 }))).code).toBe('unknown_event_type');
    expect(catchError(() => parseEnvelope('{"id":')).code).toBe('malformed_event');
    const { occurredAt: _o, ...noTime } = envelope('QuotaReleased');
    expect(catchError(() => parseEnvelope(bytes(noTime))).code).toBe('invalid_event');
  });

  it('keeps 19-digit post ids exactly, as strings, and refuses numbers (already lossy)', () => {
    const raw = JSON.stringify(envelope('PublishCompleted', { ...samples.PublishCompleted, postIds: ['7300000000000000001', '9223372036854775807'] }));
    const event = parseEnvelope(raw);
    if (event.type !== 'PublishCompleted') throw new Error('wrong type');
    expect(event.data.postIds).toEqual(['7300000000000000001', '9223372036854775807']);
    const numeric = raw.replace('"7300000000000000001"', '7300000000000000001');
    expect(catchError(() => parseEnvelope(numeric)).code).toBe('invalid_event');
  });

  it('ignores fields added later within the version (additive evolution)', () => {
    const event = parseEnvelope(bytes(envelope('QuotaReleased', { ...samples.QuotaReleased, newField: 1 })));
    expect(event.data).toEqual(samples.QuotaReleased);
  });

  it('encodes only valid envelopes', () => {
    const good = envelope('PublishFailed');
    expect(parseEnvelope(encodeEnvelope(good))).toEqual(good);
    expect(() => encodeEnvelope(envelope('PublishFailed', { ...samples.PublishFailed, stage: 'nowhere' }))).toThrow(EnvelopeError);
  });

  it('never declares a token, secret or code-like field in any event', () => {
    for (const type of eventTypes) {
      const names = propertyNames(z.toJSONSchema(eventCatalogue[type].schema, { io: 'input' }));
      for (const name of names) expect(name).not.toMatch(/token|secret|password|authorization/i);
    }
  });
});

function catchError(fn: () => unknown): EnvelopeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof EnvelopeError) return err;
    throw err;
  }
  throw new Error('expected an EnvelopeError');
}

function propertyNames(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' && typeof v === 'object' && v !== null) out.push(...Object.keys(v));
    out.push(...propertyNames(v));
  }
  return out;
}
