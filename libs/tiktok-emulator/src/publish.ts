/** source_info parsing and publish creation (shared by Direct Post and inbox init). */
import { createHash, randomBytes } from 'node:crypto';
import { checkChunkPlan } from './chunk-rules.ts';
import { startProcessing } from './lifecycle.ts';
import { apiError } from './respond.ts';
import { recordViolation, type EmulatorState, type PrivacyLevel, type Publish } from './state.ts';

export type Source = { source: 'FILE_UPLOAD'; videoSize: number; chunkSize: number; totalChunks: number } | { source: 'PULL_FROM_URL'; videoUrl: string };

/** Validates `source_info`; a bad chunk plan is the real-world `invalid_params` "The chunk size is invalid". */
export function parseSource(state: EmulatorState, raw: unknown): Source | Response {
  if (typeof raw !== 'object' || raw === null) return apiError(state, 400, 'invalid_param', 'source_info is required.');
  const s = raw as Record<string, unknown>;
  if (s.source === 'PULL_FROM_URL') {
    const url = typeof s.video_url === 'string' ? s.video_url : '';
    if (!url.startsWith('https://') || !state.settings.verifiedUrlPrefixes.some((p) => url.startsWith(p))) {
      return apiError(state, 403, 'url_ownership_unverified', 'The video_url is not under a verified domain or URL prefix of this app.');
    }
    return { source: 'PULL_FROM_URL', videoUrl: url };
  }
  if (s.source !== 'FILE_UPLOAD') return apiError(state, 400, 'invalid_param', 'source_info.source must be FILE_UPLOAD or PULL_FROM_URL.');
  const [size, chunk, total] = [s.video_size, s.chunk_size, s.total_chunk_count].map((v) => (typeof v === 'number' ? v : Number.NaN)) as [number, number, number];
  const problem = checkChunkPlan(state.settings, size, chunk, total);
  if (problem) {
    recordViolation(state, 'chunk_rule', 'init', `${problem} (video_size ${s.video_size}, chunk_size ${s.chunk_size}, total_chunk_count ${s.total_chunk_count})`);
    return apiError(state, 400, 'invalid_params', `The chunk size is invalid: ${problem}.`);
  }
  return { source: 'FILE_UPLOAD', videoSize: size, chunkSize: chunk, totalChunks: total };
}

function numericId(): string {
  return `7${BigInt(`0x${randomBytes(8).toString('hex')}`).toString().padStart(20, '0').slice(0, 18)}`;
}

/** Creates the publish and answers init's `data` (`upload_url` only for FILE_UPLOAD). */
export function createPublish(
  state: EmulatorState,
  openId: string,
  mode: 'direct' | 'inbox',
  source: Source,
  privacyLevel: PrivacyLevel | null,
  title: string | null,
): { publish_id: string; upload_url?: string } {
  const file = source.source === 'FILE_UPLOAD';
  const prefix = `${mode === 'direct' ? 'v_pub' : 'v_inbox'}_${file ? 'file' : 'url'}`;
  const publishId = `${prefix}~v2-1.${numericId()}`;
  const p: Publish = {
    publishId,
    openId,
    mode,
    source: source.source,
    privacyLevel,
    title,
    videoUrl: file ? null : source.videoUrl,
    videoSize: file ? source.videoSize : 0,
    chunkSize: file ? source.chunkSize : 0,
    totalChunks: file ? source.totalChunks : 0,
    bytesReceived: 0,
    chunksReceived: 0,
    hash: createHash('sha256'),
    sha256: null,
    uploadId: randomBytes(8).toString('hex'),
    uploadToken: randomBytes(16).toString('base64url'),
    uploadExpiresAt: state.now() + state.settings.uploadUrlTtlSec * 1000,
    uploading: false,
    status: file ? 'PROCESSING_UPLOAD' : 'PROCESSING_DOWNLOAD',
    failReason: null,
    postIds: [],
    createdAt: state.now(),
  };
  state.publishes.set(publishId, p);
  if (!file) {
    startProcessing(state, p); // simulated download: no network needed
    return { publish_id: publishId };
  }
  state.uploads.set(p.uploadId, publishId);
  const url = new URL('/upload/', state.settings.baseUrl);
  url.searchParams.set('upload_id', p.uploadId);
  url.searchParams.set('upload_token', p.uploadToken);
  return { publish_id: publishId, upload_url: url.toString() };
}
