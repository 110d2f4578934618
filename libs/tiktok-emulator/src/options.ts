/** Emulator options. Every timing and limit is configurable so tests stay fast. */

export type RateEndpoint = 'video_init' | 'inbox_init' | 'creator_info' | 'status' | 'user_info';

export type EmulatorOptions = {
  clientKey?: string;
  clientSecret?: string;
  /** Registered redirect URIs; empty = any absolute http(s) URI (dev convenience). */
  redirectUris?: string[];
  /** Public base URL of the emulator itself; upload URLs point here. Set by startEmulator. */
  baseUrl?: string;
  /** Where webhooks are POSTed; none = recorded but not sent. */
  webhookUrl?: string;
  /** false: Direct Post only to private accounts, SELF_ONLY, ≤ 5 posting creators / 24 h. */
  appAudited?: boolean;
  accessTokenTtlSec?: number;
  refreshTokenTtlSec?: number;
  codeTtlSec?: number;
  uploadUrlTtlSec?: number;
  /** Time from last chunk (or download start) to the final state; 0 = immediately. */
  processingDelayMs?: number;
  dailyPostLimit?: number;
  pendingDraftLimit?: number;
  unauditedCreatorLimit?: number;
  rateLimits?: Partial<Record<RateEndpoint, number>>;
  /** HTTP status of OAuth errors; TikTok was recorded answering 200 with an error body. */
  oauthErrorStatus?: number;
  verifiedUrlPrefixes?: string[];
  /**
   * Accept the binary reading of "64 MB / 128 MB" (67,108,864 / 134,217,728) too. Off by
   * default: our client must satisfy the strict decimal reading whichever TikTok applies.
   */
  lenientChunkBounds?: boolean;
  webhookAttempts?: number;
  webhookBaseDelayMs?: number;
  /** Wall clock (ms); the control API shifts it with an offset. */
  now?: () => number;
};

export type Settings = Required<Omit<EmulatorOptions, 'rateLimits' | 'now' | 'webhookUrl' | 'baseUrl'>> & {
  rateLimits: Record<RateEndpoint, number>;
  webhookUrl: string | undefined;
  baseUrl: string;
};

export const DEFAULT_CLIENT_KEY = 'emulator-client-key';
export const DEFAULT_CLIENT_SECRET = 'emulator-client-secret';

/** Fills in the defaults (TOK26 lifetimes: 2 h access, 180 d refresh). */
export function resolveSettings(o: EmulatorOptions): Settings {
  return {
    clientKey: o.clientKey ?? DEFAULT_CLIENT_KEY,
    clientSecret: o.clientSecret ?? DEFAULT_CLIENT_SECRET,
    redirectUris: o.redirectUris ?? [],
    baseUrl: o.baseUrl ?? 'http://127.0.0.1:8090',
    webhookUrl: o.webhookUrl,
    appAudited: o.appAudited ?? true,
    accessTokenTtlSec: o.accessTokenTtlSec ?? 7200,
    refreshTokenTtlSec: o.refreshTokenTtlSec ?? 15_552_000,
    codeTtlSec: o.codeTtlSec ?? 600,
    uploadUrlTtlSec: o.uploadUrlTtlSec ?? 3600,
    processingDelayMs: o.processingDelayMs ?? 50,
    dailyPostLimit: o.dailyPostLimit ?? 15,
    pendingDraftLimit: o.pendingDraftLimit ?? 5,
    unauditedCreatorLimit: o.unauditedCreatorLimit ?? 5,
    rateLimits: { video_init: 6, inbox_init: 6, creator_info: 20, status: 30, user_info: 600, ...o.rateLimits },
    oauthErrorStatus: o.oauthErrorStatus ?? 200,
    verifiedUrlPrefixes: o.verifiedUrlPrefixes ?? [],
    lenientChunkBounds: o.lenientChunkBounds ?? false,
    webhookAttempts: o.webhookAttempts ?? 5,
    webhookBaseDelayMs: o.webhookBaseDelayMs ?? 200,
  };
}
