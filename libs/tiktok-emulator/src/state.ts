/** The emulator's in-memory world. Everything is keyed by strings; time is `state.now()` (ms). */
import type { Hash } from 'node:crypto';
import { resolveSettings, type EmulatorOptions, type RateEndpoint, type Settings } from './options.ts';

export type PrivacyLevel = 'PUBLIC_TO_EVERYONE' | 'MUTUAL_FOLLOW_FRIENDS' | 'FOLLOWER_OF_CREATOR' | 'SELF_ONLY';

export type Creator = {
  openId: string;
  username: string;
  nickname: string;
  avatarUrl: string;
  isPrivate: boolean;
  privacyLevelOptions: PrivacyLevel[];
  commentDisabled: boolean;
  duetDisabled: boolean;
  stitchDisabled: boolean;
  maxVideoPostDurationSec: number;
  banned: boolean;
  /** Accepted Direct Post inits (ms), for the rolling 24 h cap. */
  postTimes: number[];
};

export type AuthCode = { code: string; openId: string; scopes: string[]; redirectUri: string; expiresAt: number; used: boolean };
export type AccessToken = { token: string; openId: string; scopes: string[]; expiresAt: number; revoked: boolean };
export type RefreshToken = { token: string; openId: string; scopes: string[]; expiresAt: number; active: boolean };

export type PublishStatus = 'PROCESSING_UPLOAD' | 'PROCESSING_DOWNLOAD' | 'SEND_TO_USER_INBOX' | 'PUBLISH_COMPLETE' | 'FAILED';

export type Publish = {
  publishId: string;
  openId: string;
  mode: 'direct' | 'inbox';
  source: 'FILE_UPLOAD' | 'PULL_FROM_URL';
  privacyLevel: PrivacyLevel | null;
  title: string | null;
  videoUrl: string | null;
  videoSize: number;
  chunkSize: number;
  totalChunks: number;
  bytesReceived: number;
  chunksReceived: number;
  /** Running sha256 of accepted chunks; the bytes themselves are never kept. */
  hash: Hash;
  sha256: string | null;
  uploadId: string;
  uploadToken: string;
  uploadExpiresAt: number;
  uploading: boolean;
  status: PublishStatus;
  failReason: string | null;
  postIds: bigint[];
  createdAt: number;
};

export type ViolationKind = 'rate_limit' | 'chunk_rule';
export type Violation = { kind: ViolationKind; endpoint: string; detail: string; at: string };
export type InitCall = { endpoint: 'video_init' | 'inbox_init'; openId: string; at: string; outcome: string };
export type FaultEndpoint = 'token' | 'user_info' | 'creator_info' | 'video_init' | 'inbox_init' | 'status' | 'upload' | 'cancel' | 'revoke';
export type Fault = { endpoint: FaultEndpoint; status?: number; delayMs?: number; reset?: boolean; times: number };
export type WebhookRecord = { event: string; openId: string; content: Record<string, unknown>; attempts: number; delivered: boolean; lastStatus: number | null };

export type EmulatorState = {
  settings: Settings;
  now(): number;
  clockOffsetMs: number;
  creators: Map<string, Creator>;
  /** open_id → whether the user's authorization of our app is live. */
  grants: Map<string, { scopes: string[]; active: boolean }>;
  codes: Map<string, AuthCode>;
  accessTokens: Map<string, AccessToken>;
  refreshTokens: Map<string, RefreshToken>;
  publishes: Map<string, Publish>;
  uploads: Map<string, string>;
  /** open_id → last Direct Post time, for the unaudited ≤ 5 creators / 24 h rule. */
  activeCreators: Map<string, number>;
  /** `${token}|${endpoint}` → request times in the sliding minute. */
  rateWindows: Map<string, number[]>;
  failNext: { openId: string | null; failReason: string }[];
  violations: Violation[];
  initCalls: InitCall[];
  faults: Fault[];
  webhooks: WebhookRecord[];
  timers: Set<ReturnType<typeof setTimeout>>;
  nextPostId: bigint;
  closed: boolean;
};

/** Creates a fresh state from options (test creators are made lazily, see creators.ts). */
export function createState(options: EmulatorOptions): EmulatorState {
  const wall = options.now ?? Date.now;
  const state: EmulatorState = {
    settings: resolveSettings(options),
    clockOffsetMs: 0,
    now: () => wall() + state.clockOffsetMs,
    creators: new Map(),
    grants: new Map(),
    codes: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
    publishes: new Map(),
    uploads: new Map(),
    activeCreators: new Map(),
    rateWindows: new Map(),
    failNext: [],
    violations: [],
    initCalls: [],
    faults: [],
    webhooks: [],
    timers: new Set(),
    nextPostId: 7_300_000_000_000_000_001n,
    closed: false,
  };
  return state;
}

/** Records a rule broken by a client (tests assert our services cause none). */
export function recordViolation(state: EmulatorState, kind: ViolationKind, endpoint: string, detail: string): void {
  state.violations.push({ kind, endpoint, detail, at: new Date(state.now()).toISOString() });
}

/** setTimeout that close() can cancel. */
export function schedule(state: EmulatorState, ms: number, fn: () => void): void {
  if (state.closed) return;
  const timer = setTimeout(() => {
    state.timers.delete(timer);
    if (!state.closed) fn();
  }, ms);
  state.timers.add(timer);
}

export type { RateEndpoint };
