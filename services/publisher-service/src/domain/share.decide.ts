/**
 * Pure decider of the share saga. Time arrives in the commands; no I/O.
 *
 * The invariant it guards is "never post twice": once TikTok has answered an init with a
 * publish_id, the share may only be reconciled (chunks, status, webhooks). A new init is decided
 * only through `AbandonUpload`, and only when TikTok cannot have the whole video or said the
 * publish FAILED before posting — and at most `MAX_INITS` times in total.
 */
import { publishIdOf, type ShareEvent, type ShareRequestedData, type ShareState, type UploadAbandonedData, type UploadTarget } from './share.ts';
import { ShareError } from './share.errors.ts';
import type { PublishFailedData } from './share.ts';

/** Init calls allowed per share (the first plus two re-inits). */
export const MAX_INITS = 3;

export type ShareCommand =
  | { type: 'RequestShare'; data: ShareRequestedData }
  /** `uploadUrl` / `uploadUrlExpiresAt`: FILE_UPLOAD only. */
  | ({ type: 'InitializeUpload' } & UploadTarget)
  | { type: 'RecordChunk'; publishId: string; chunkIndex: number; uploadedBytes: number }
  | {
      type: 'AbandonUpload';
      publishId: string;
      reason: UploadAbandonedData['reason'];
      /** For `upload_url_expired`: bytes TikTok reports having (status/fetch or a 416), the proof it lacks some. */
      tiktokUploadedBytes?: number;
      at: string;
    }
  | { type: 'CompletePublish'; publishId: string; postIds: string[]; at: string }
  | { type: 'DiscoverPostIds'; publishId: string; postIds: string[] }
  | { type: 'FailPublish'; publishId: string | null; code: string; message: string; retryable: boolean; stage: PublishFailedData['stage'] };

export function decideShare(command: ShareCommand, state: ShareState): ShareEvent[] {
  switch (command.type) {
    case 'RequestShare':
      return requestShare(command, state);
    case 'InitializeUpload':
      return initializeUpload(command, state);
    case 'RecordChunk':
      return recordChunk(command, state);
    case 'AbandonUpload':
      return abandonUpload(command, state);
    case 'CompletePublish':
      return completePublish(command, state);
    case 'DiscoverPostIds':
      return discoverPostIds(command, state);
    case 'FailPublish':
      return failPublish(command, state);
    default: {
      const never: never = command;
      return never;
    }
  }
}

type Cmd<T extends ShareCommand['type']> = Extract<ShareCommand, { type: T }>;

function requestShare(cmd: Cmd<'RequestShare'>, state: ShareState): ShareEvent[] {
  if (state.status !== 'none') throw new ShareError('share_already_exists', 'share already exists');
  return [{ type: 'ShareRequested', data: cmd.data }];
}

/** Only from `requested`: an existing publish_id is never replaced by a second init. */
function initializeUpload(cmd: Cmd<'InitializeUpload'>, state: ShareState): ShareEvent[] {
  if (state.status === 'none') throw new ShareError('share_not_found', 'share not found');
  if (state.status !== 'requested') throw new ShareError('upload_already_initialized', 'share already has a publish id');
  if (state.inits >= MAX_INITS) throw new ShareError('reinit_limit_reached', `at most ${MAX_INITS} inits per share`);
  const { shareId, mode } = state.request;
  const events: ShareEvent[] = [{
    type: 'UploadInitialized',
    data: { shareId, publishId: cmd.publishId, mode, source: cmd.source, videoSize: cmd.videoSize, chunkSize: cmd.chunkSize, totalChunks: cmd.totalChunks },
  }];
  if (cmd.source === 'FILE_UPLOAD' && cmd.uploadUrl !== null && cmd.uploadUrlExpiresAt !== null) {
    events.push({ type: 'UploadUrlIssued', data: { shareId, publishId: cmd.publishId, uploadUrl: cmd.uploadUrl, expiresAt: cmd.uploadUrlExpiresAt } });
  }
  return events;
}

/** Idempotent for chunks already recorded (a retried step); a gap is a bug upstream. */
function recordChunk(cmd: Cmd<'RecordChunk'>, state: ShareState): ShareEvent[] {
  if (state.status === 'processing' && state.upload.publishId === cmd.publishId) return [];
  if (state.status !== 'uploading') throw new ShareError('not_uploading', `share is ${state.status}`);
  if (state.upload.publishId !== cmd.publishId) throw new ShareError('publish_id_mismatch', 'chunk of another publish');
  if (cmd.chunkIndex < state.nextChunk) return [];
  if (cmd.chunkIndex > state.nextChunk) throw new ShareError('chunk_out_of_order', `expected chunk ${state.nextChunk}, got ${cmd.chunkIndex}`);
  const { shareId } = state.request;
  const { publishId, totalChunks, videoSize } = state.upload;
  return [{ type: 'ChunkUploaded', data: { shareId, publishId, chunkIndex: cmd.chunkIndex, totalChunks, uploadedBytes: cmd.uploadedBytes, videoSize } }];
}

/**
 * The only way back to `requested`:
 * - `upload_url_expired`: still uploading and TikTok itself reports fewer bytes than the video —
 *   an upload that never completed cannot be published;
 * - `failed_before_posting`: TikTok said FAILED for this publish_id (nothing was posted).
 */
function abandonUpload(cmd: Cmd<'AbandonUpload'>, state: ShareState): ShareEvent[] {
  if (state.status !== 'uploading' && state.status !== 'processing') {
    throw new ShareError('reinit_not_allowed', `cannot abandon a ${state.status} share`);
  }
  if (state.upload.publishId !== cmd.publishId) throw new ShareError('publish_id_mismatch', 'abandon of another publish');
  if (cmd.reason === 'upload_url_expired') {
    const lacksBytes = cmd.tiktokUploadedBytes !== undefined && cmd.tiktokUploadedBytes < state.upload.videoSize;
    if (state.status !== 'uploading' || !lacksBytes) throw new ShareError('reinit_not_allowed', 'TikTok may have the whole video');
  }
  if (state.inits >= MAX_INITS) throw new ShareError('reinit_limit_reached', `at most ${MAX_INITS} inits per share`);
  return [{ type: 'UploadAbandoned', data: { shareId: state.request.shareId, publishId: cmd.publishId, reason: cmd.reason, at: cmd.at } }];
}

/** Poll and webhook race to finish: the second one (or a redelivery) changes nothing. */
function completePublish(cmd: Cmd<'CompletePublish'>, state: ShareState): ShareEvent[] {
  if (state.status === 'published' || state.status === 'in_inbox' || state.status === 'failed') return [];
  if (state.status !== 'uploading' && state.status !== 'processing') throw new ShareError('share_not_started', `share is ${state.status}`);
  if (state.upload.publishId !== cmd.publishId) throw new ShareError('publish_id_mismatch', 'completion of another publish');
  const { shareId, mode } = state.request;
  return [{ type: 'PublishCompleted', data: { shareId, publishId: cmd.publishId, mode, postIds: cmd.postIds, completedAt: cmd.at } }];
}

function discoverPostIds(cmd: Cmd<'DiscoverPostIds'>, state: ShareState): ShareEvent[] {
  if (state.status !== 'published' && state.status !== 'in_inbox') return [];
  if (state.publishId !== cmd.publishId) throw new ShareError('publish_id_mismatch', 'post ids of another publish');
  const fresh = cmd.postIds.filter((id) => !state.postIds.includes(id));
  if (fresh.length === 0) return [];
  return [{ type: 'PostIdsDiscovered', data: { shareId: state.request.shareId, publishId: state.publishId, postIds: fresh } }];
}

function failPublish(cmd: Cmd<'FailPublish'>, state: ShareState): ShareEvent[] {
  if (state.status === 'none') throw new ShareError('share_not_found', 'share not found');
  if (state.status === 'published' || state.status === 'in_inbox' || state.status === 'failed') return [];
  const current = publishIdOf(state);
  if (cmd.publishId !== null && cmd.publishId !== current) throw new ShareError('publish_id_mismatch', 'failure of another publish');
  return [{
    type: 'PublishFailed',
    data: { shareId: state.request.shareId, publishId: current, code: cmd.code, message: cmd.message, retryable: cmd.retryable, stage: cmd.stage },
  }];
}
