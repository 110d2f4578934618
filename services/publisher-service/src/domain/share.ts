/**
 * The share aggregate: one stream `share-<shareId>` per share. Public events follow the contracts
 * of DESIGN §6 (libs/contracts share-events); private events (`public: false` when appended) keep
 * what must survive a crash but must not leave the service: the upload URL and re-init bookkeeping.
 */
import type { z } from 'zod';
import type {
  chunkUploadedData, publishCompletedData, publishFailedData, shareRequestedData, uploadInitializedData,
} from '@tiktok-share/contracts/share-events.ts';

export type ShareRequestedData = z.infer<typeof shareRequestedData>;
export type UploadInitializedData = z.infer<typeof uploadInitializedData>;
export type ChunkUploadedData = z.infer<typeof chunkUploadedData>;
export type PublishCompletedData = z.infer<typeof publishCompletedData>;
export type PublishFailedData = z.infer<typeof publishFailedData>;

/** Private: the pre-signed upload URL of a FILE_UPLOAD init (valid 1 h at TikTok). */
export interface UploadUrlIssuedData {
  shareId: string;
  publishId: string;
  uploadUrl: string;
  expiresAt: string;
}

/**
 * Private: a publish that TikTok cannot have completed is given up so the share may init again.
 * Only two reasons qualify (see share.decide.ts): the upload URL expired before TikTok had every
 * byte, or TikTok reported the publish FAILED before anything was posted.
 */
export interface UploadAbandonedData {
  shareId: string;
  publishId: string;
  reason: 'upload_url_expired' | 'failed_before_posting';
  at: string;
}

/** Private: post ids that appeared after completion (moderation lags PUBLISH_COMPLETE). */
export interface PostIdsDiscoveredData {
  shareId: string;
  publishId: string;
  postIds: string[];
}

export type ShareEvent =
  | { type: 'ShareRequested'; data: ShareRequestedData }
  | { type: 'UploadInitialized'; data: UploadInitializedData }
  | { type: 'UploadUrlIssued'; data: UploadUrlIssuedData }
  | { type: 'ChunkUploaded'; data: ChunkUploadedData }
  | { type: 'UploadAbandoned'; data: UploadAbandonedData }
  | { type: 'PublishCompleted'; data: PublishCompletedData }
  | { type: 'PostIdsDiscovered'; data: PostIdsDiscoveredData }
  | { type: 'PublishFailed'; data: PublishFailedData };

export type ShareEventType = ShareEvent['type'];

/** Events that leave the service through the outbox (DESIGN §6). */
export const PUBLIC_SHARE_EVENTS: ReadonlySet<ShareEventType> = new Set([
  'ShareRequested', 'UploadInitialized', 'ChunkUploaded', 'PublishCompleted', 'PublishFailed',
]);

export interface UploadTarget {
  publishId: string;
  source: 'FILE_UPLOAD' | 'PULL_FROM_URL';
  videoSize: number;
  chunkSize: number;
  totalChunks: number;
  uploadUrl: string | null;
  uploadUrlExpiresAt: string | null;
}

interface Base {
  request: ShareRequestedData;
  /** Number of init calls that produced a publish_id (bounded re-inits, see share.decide.ts). */
  inits: number;
}

export type ShareState =
  | { status: 'none' }
  | (Base & { status: 'requested' })
  | (Base & { status: 'uploading'; upload: UploadTarget; nextChunk: number; uploadedBytes: number })
  | (Base & { status: 'processing'; upload: UploadTarget })
  | (Base & { status: 'published' | 'in_inbox'; publishId: string; postIds: string[] })
  | (Base & { status: 'failed'; publishId: string | null; failure: { code: string; message: string; retryable: boolean } });

export type ShareStatus = ShareState['status'];

export function initialShareState(): ShareState {
  return { status: 'none' };
}

export function streamIdOf(shareId: string): string {
  return `share-${shareId}`;
}

export function isTerminal(state: ShareState): boolean {
  return state.status === 'published' || state.status === 'in_inbox' || state.status === 'failed';
}

/** The publish_id TikTok knows this share by, if any init answered. */
export function publishIdOf(state: ShareState): string | null {
  switch (state.status) {
    case 'uploading':
    case 'processing':
      return state.upload.publishId;
    case 'published':
    case 'in_inbox':
    case 'failed':
      return state.publishId;
    default:
      return null;
  }
}

export function evolveShare(state: ShareState, event: ShareEvent): ShareState {
  switch (event.type) {
    case 'ShareRequested':
      return { status: 'requested', request: event.data, inits: 0 };
    case 'UploadInitialized':
      return onInitialized(state, event.data);
    case 'UploadUrlIssued':
      return state.status === 'uploading'
        ? { ...state, upload: { ...state.upload, uploadUrl: event.data.uploadUrl, uploadUrlExpiresAt: event.data.expiresAt } }
        : state;
    case 'ChunkUploaded':
      return onChunk(state, event.data);
    case 'UploadAbandoned':
      return 'request' in state ? { status: 'requested', request: state.request, inits: state.inits } : state;
    case 'PublishCompleted':
      if (!('request' in state)) return state;
      return {
        status: event.data.mode === 'draft' ? 'in_inbox' : 'published',
        request: state.request, inits: state.inits, publishId: event.data.publishId, postIds: [...event.data.postIds],
      };
    case 'PostIdsDiscovered':
      if (state.status !== 'published' && state.status !== 'in_inbox') return state;
      return { ...state, postIds: [...new Set([...state.postIds, ...event.data.postIds])] };
    case 'PublishFailed':
      if (!('request' in state)) return state;
      return {
        status: 'failed', request: state.request, inits: state.inits, publishId: event.data.publishId ?? null,
        failure: { code: event.data.code, message: event.data.message, retryable: event.data.retryable },
      };
    default: {
      const never: never = event;
      return never;
    }
  }
}

function onInitialized(state: ShareState, data: UploadInitializedData): ShareState {
  if (!('request' in state)) return state;
  const upload: UploadTarget = {
    publishId: data.publishId, source: data.source, videoSize: data.videoSize, chunkSize: data.chunkSize,
    totalChunks: data.totalChunks, uploadUrl: null, uploadUrlExpiresAt: null,
  };
  const base = { request: state.request, inits: state.inits + 1 };
  // PULL_FROM_URL moves no bytes from us: TikTok downloads, so the share is processing at once.
  if (data.source === 'PULL_FROM_URL') return { ...base, status: 'processing', upload };
  return { ...base, status: 'uploading', upload, nextChunk: 0, uploadedBytes: 0 };
}

function onChunk(state: ShareState, data: ChunkUploadedData): ShareState {
  if (state.status !== 'uploading') return state;
  const nextChunk = data.chunkIndex + 1;
  if (nextChunk >= state.upload.totalChunks) return { status: 'processing', request: state.request, inits: state.inits, upload: state.upload };
  return { ...state, nextChunk, uploadedBytes: data.uploadedBytes };
}
