/** Shapes of the TikTok client (camelCase; the wire format is TikTok's snake_case). */

export type PrivacyLevel = 'PUBLIC_TO_EVERYONE' | 'MUTUAL_FOLLOW_FRIENDS' | 'FOLLOWER_OF_CREATOR' | 'SELF_ONLY';

export type TokenSet = {
  accessToken: string;
  refreshToken: string;
  openId: string;
  scopes: string[];
  /** Seconds the access token remains valid (trust it, do not hard-code). */
  expiresIn: number;
  refreshExpiresIn: number;
};

export type CreatorInfo = {
  avatarUrl: string;
  username: string;
  nickname: string;
  privacyLevelOptions: PrivacyLevel[];
  commentDisabled: boolean;
  duetDisabled: boolean;
  stitchDisabled: boolean;
  maxVideoPostDurationSec: number;
};

/** creator_info answers "can't post now" with HTTP 200 and a spam_risk_* / cap code. */
export type CreatorInfoResult =
  | ({ canPost: true } & CreatorInfo)
  | { canPost: false; reason: string; message: string; logId: string | undefined };

export type PostInfo = {
  privacyLevel: PrivacyLevel;
  title?: string;
  disableDuet: boolean;
  disableComment: boolean;
  disableStitch: boolean;
  videoCoverTimestampMs?: number;
  brandContentToggle: boolean;
  brandOrganicToggle: boolean;
  isAigc: boolean;
};

export type VideoSource =
  | { source: 'FILE_UPLOAD'; videoSize: number; chunkSize: number; totalChunkCount: number }
  | { source: 'PULL_FROM_URL'; videoUrl: string };

export type InitResult = { publishId: string; uploadUrl?: string };

export type PublishStatus = 'PROCESSING_UPLOAD' | 'PROCESSING_DOWNLOAD' | 'SEND_TO_USER_INBOX' | 'PUBLISH_COMPLETE' | 'FAILED';

export type StatusResult = {
  status: PublishStatus;
  failReason?: string;
  /** Exact decimal strings (TikTok sends integers beyond 2^53). */
  postIds: string[];
  uploadedBytes?: number;
  downloadedBytes?: number;
};

export type ChunkUpload = {
  /** First and last (inclusive) byte of this chunk, and the video size. */
  start: number;
  end: number;
  total: number;
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Uint8Array;
  contentType?: string;
};

/** 206: more chunks expected; 201: upload complete. `uploadedBytes` from the answer's Content-Range. */
export type ChunkResult = { status: 201 | 206; uploadedBytes: number | undefined };
