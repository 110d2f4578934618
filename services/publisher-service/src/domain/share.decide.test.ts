import { describe, expect, it } from 'vitest';
import { decideShare, MAX_INITS, type ShareCommand } from './share.decide.ts';
import { evolveShare, initialShareState, type ShareEvent, type ShareRequestedData, type ShareState } from './share.ts';

const AT = '2025-01-01T00:00:00.000Z';
const request: ShareRequestedData = {
  shareId: 's1', userId: 'u1', accountId: 'a1', openId: 'o1', mode: 'direct',
  video: { source: { path: 'v.mp4' }, size: 23_000_000, durationSec: 12, container: 'mp4' },
  postSettings: {
    title: 't', privacyLevel: 'SELF_ONLY', disableComment: false, disableDuet: false, disableStitch: false,
    coverTimestampMs: null, brandContent: false, brandOrganic: false, isAigc: true,
  },
};
const requested: ShareEvent = { type: 'ShareRequested', data: request };
const init = (publishId = 'p1'): ShareCommand => ({
  type: 'InitializeUpload', publishId, source: 'FILE_UPLOAD', videoSize: 23_000_000, chunkSize: 10_000_000, totalChunks: 2,
  uploadUrl: 'https://up/1', uploadUrlExpiresAt: '2025-01-01T01:00:00.000Z',
});
const initialized = (publishId = 'p1'): ShareEvent[] => decideShare(init(publishId), fold([requested]));
const chunk0: ShareEvent = { type: 'ChunkUploaded', data: { shareId: 's1', publishId: 'p1', chunkIndex: 0, totalChunks: 2, uploadedBytes: 10_000_000, videoSize: 23_000_000 } };
const chunk1: ShareEvent = { type: 'ChunkUploaded', data: { ...chunk0.data as object, chunkIndex: 1, uploadedBytes: 23_000_000 } as never };

function fold(events: ShareEvent[]): ShareState {
  return events.reduce(evolveShare, initialShareState());
}

/** given(events).when(command).then(events | error code) */
function given(events: ShareEvent[]) {
  return {
    when(command: ShareCommand) {
      const run = () => decideShare(command, fold(events));
      return {
        then(expected: ShareEvent[]) { expect(run()).toEqual(expected); },
        thenTypes(types: string[]) { expect(run().map((e) => e.type)).toEqual(types); },
        thenError(code: string) { expect(run).toThrow(expect.objectContaining({ code }) as unknown as Error); },
      };
    },
  };
}

describe('RequestShare', () => {
  it('requests a new share', () => given([]).when({ type: 'RequestShare', data: request }).then([requested]));
  it('rejects a second request for the same stream', () => given([requested]).when({ type: 'RequestShare', data: request }).thenError('share_already_exists'));
});

describe('InitializeUpload', () => {
  it('records the publish id and the private upload URL', () => given([requested]).when(init()).thenTypes(['UploadInitialized', 'UploadUrlIssued']));
  it('puts the share into uploading at chunk 0', () => {
    const s = fold([requested, ...initialized()]);
    expect(s).toMatchObject({ status: 'uploading', nextChunk: 0, inits: 1, upload: { publishId: 'p1', uploadUrl: 'https://up/1' } });
  });
  it('PULL_FROM_URL goes straight to processing, with no upload URL', () => {
    const events = decideShare({ ...init(), source: 'PULL_FROM_URL', uploadUrl: null, uploadUrlExpiresAt: null, chunkSize: 23_000_000, totalChunks: 1 } as ShareCommand, fold([requested]));
    expect(events.map((e) => e.type)).toEqual(['UploadInitialized']);
    expect(fold([requested, ...events]).status).toBe('processing');
  });
  it('never inits twice once a publish id exists', () => given([requested, ...initialized()]).when(init('p2')).thenError('upload_already_initialized'));
  it('rejects an init of an unknown share', () => given([]).when(init()).thenError('share_not_found'));
});

describe('RecordChunk', () => {
  const base = () => [requested, ...initialized()];
  it('records the next chunk', () => given(base()).when({ type: 'RecordChunk', publishId: 'p1', chunkIndex: 0, uploadedBytes: 10_000_000 }).then([chunk0]));
  it('is idempotent for a chunk already recorded', () => given([...base(), chunk0]).when({ type: 'RecordChunk', publishId: 'p1', chunkIndex: 0, uploadedBytes: 10_000_000 }).then([]));
  it('rejects a gap', () => given(base()).when({ type: 'RecordChunk', publishId: 'p1', chunkIndex: 1, uploadedBytes: 1 }).thenError('chunk_out_of_order'));
  it('rejects a chunk of another publish', () => given(base()).when({ type: 'RecordChunk', publishId: 'px', chunkIndex: 0, uploadedBytes: 1 }).thenError('publish_id_mismatch'));
  it('rejects a chunk before init', () => given([requested]).when({ type: 'RecordChunk', publishId: 'p1', chunkIndex: 0, uploadedBytes: 1 }).thenError('not_uploading'));
  it('the last chunk moves the share to processing; a replay of it changes nothing', () => {
    expect(fold([...base(), chunk0, chunk1]).status).toBe('processing');
    given([...base(), chunk0, chunk1]).when({ type: 'RecordChunk', publishId: 'p1', chunkIndex: 1, uploadedBytes: 23_000_000 }).then([]);
  });
});

describe('AbandonUpload', () => {
  const base = () => [requested, ...initialized(), chunk0];
  const abandon = (extra: Partial<Extract<ShareCommand, { type: 'AbandonUpload' }>> = {}): ShareCommand =>
    ({ type: 'AbandonUpload', publishId: 'p1', reason: 'upload_url_expired', tiktokUploadedBytes: 10_000_000, at: AT, ...extra });
  it('gives up an expired upload TikTok lacks bytes of, back to requested', () => {
    given(base()).when(abandon()).thenTypes(['UploadAbandoned']);
    const s = fold([...base(), ...decideShare(abandon(), fold(base()))]);
    expect(s).toMatchObject({ status: 'requested', inits: 1 });
  });
  it('refuses without proof that TikTok lacks bytes', () => given(base()).when(abandon({ tiktokUploadedBytes: 23_000_000 })).thenError('reinit_not_allowed'));
  it('refuses an expired-URL abandon once every chunk is acknowledged', () => given([...base(), chunk1]).when(abandon()).thenError('reinit_not_allowed'));
  it('allows an abandon after TikTok reported FAILED before posting', () => given([...base(), chunk1]).when(abandon({ reason: 'failed_before_posting' })).thenTypes(['UploadAbandoned']));
  it('refuses an abandon of a finished share', () => given([requested, ...initialized(), { type: 'PublishCompleted', data: { shareId: 's1', publishId: 'p1', mode: 'direct', postIds: [], completedAt: AT } }]).when(abandon()).thenError('reinit_not_allowed'));
  it(`stops after ${MAX_INITS} inits`, () => {
    let events: ShareEvent[] = [requested];
    for (let i = 0; i < MAX_INITS; i++) {
      events = [...events, ...decideShare(init(`p${i}`), fold(events))];
      if (i < MAX_INITS - 1) events = [...events, ...decideShare(abandon({ publishId: `p${i}`, reason: 'failed_before_posting' }), fold(events))];
    }
    given(events).when(abandon({ publishId: `p${MAX_INITS - 1}`, reason: 'failed_before_posting' })).thenError('reinit_limit_reached');
  });
});

describe('CompletePublish', () => {
  const processing = () => [requested, ...initialized(), chunk0, chunk1];
  it('publishes a direct post with string post ids', () => {
    given(processing()).when({ type: 'CompletePublish', publishId: 'p1', postIds: ['7300000000000000001'], at: AT })
      .then([{ type: 'PublishCompleted', data: { shareId: 's1', publishId: 'p1', mode: 'direct', postIds: ['7300000000000000001'], completedAt: AT } }]);
    const s = fold([...processing(), { type: 'PublishCompleted', data: { shareId: 's1', publishId: 'p1', mode: 'direct', postIds: ['1'], completedAt: AT } }]);
    expect(s.status).toBe('published');
  });
  it('a draft ends in_inbox', () => {
    const draft: ShareEvent = { type: 'ShareRequested', data: { ...request, mode: 'draft' } };
    const events = [draft, ...decideShare(init(), fold([draft])), chunk0, chunk1];
    const done = decideShare({ type: 'CompletePublish', publishId: 'p1', postIds: [], at: AT }, fold(events));
    expect(fold([...events, ...done]).status).toBe('in_inbox');
  });
  it('is a no-op when already finished (webhook and poll race)', () => {
    const done: ShareEvent = { type: 'PublishCompleted', data: { shareId: 's1', publishId: 'p1', mode: 'direct', postIds: [], completedAt: AT } };
    given([...processing(), done]).when({ type: 'CompletePublish', publishId: 'p1', postIds: [], at: AT }).then([]);
  });
  it('rejects a completion of another publish', () => given(processing()).when({ type: 'CompletePublish', publishId: 'p9', postIds: [], at: AT }).thenError('publish_id_mismatch'));
  it('rejects a completion before init', () => given([requested]).when({ type: 'CompletePublish', publishId: 'p1', postIds: [], at: AT }).thenError('share_not_started'));
});

describe('DiscoverPostIds', () => {
  const done: ShareEvent = { type: 'PublishCompleted', data: { shareId: 's1', publishId: 'p1', mode: 'direct', postIds: [], completedAt: AT } };
  const base = () => [requested, ...initialized(), chunk0, chunk1, done];
  it('adds new post ids only', () => {
    given(base()).when({ type: 'DiscoverPostIds', publishId: 'p1', postIds: ['12345678901234567890'] }).thenTypes(['PostIdsDiscovered']);
    const withIds: ShareEvent = { type: 'PostIdsDiscovered', data: { shareId: 's1', publishId: 'p1', postIds: ['1'] } };
    given([...base(), withIds]).when({ type: 'DiscoverPostIds', publishId: 'p1', postIds: ['1'] }).then([]);
    expect(fold([...base(), withIds])).toMatchObject({ postIds: ['1'] });
  });
  it('ignores ids for unfinished shares', () => given([requested]).when({ type: 'DiscoverPostIds', publishId: 'p1', postIds: ['1'] }).then([]));
  it('rejects ids of another publish', () => given(base()).when({ type: 'DiscoverPostIds', publishId: 'p2', postIds: ['1'] }).thenError('publish_id_mismatch'));
});

describe('FailPublish', () => {
  const fail = (publishId: string | null = null): ShareCommand => ({ type: 'FailPublish', publishId, code: 'daily_limit_reached', message: 'm', retryable: true, stage: 'init' });
  it('fails a requested share without publish id', () => {
    given([requested]).when(fail()).then([{ type: 'PublishFailed', data: { shareId: 's1', publishId: null, code: 'daily_limit_reached', message: 'm', retryable: true, stage: 'init' } }]);
  });
  it('fails an uploading share with its publish id', () => {
    const events = decideShare(fail('p1'), fold([requested, ...initialized()]));
    expect(events[0]).toMatchObject({ data: { publishId: 'p1' } });
    expect(fold([requested, ...initialized(), ...events])).toMatchObject({ status: 'failed', failure: { code: 'daily_limit_reached', retryable: true } });
  });
  it('is a no-op when already failed', () => {
    const failed = decideShare(fail(), fold([requested]));
    given([requested, ...failed]).when(fail()).then([]);
  });
  it('rejects an unknown share', () => given([]).when(fail()).thenError('share_not_found'));
  it('rejects a failure of another publish', () => given([requested, ...initialized()]).when(fail('p7')).thenError('publish_id_mismatch'));
});
