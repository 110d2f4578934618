export { createTikTokClient, type TikTokClient, type TikTokClientOptions, type AuthorizeUrlInput, type TikTokCall, type TikTokEndpoint } from './client.ts';
export { createTikTokAgent, DEFAULT_TIMEOUTS, type Timeouts } from './http.ts';
export { TikTokError, classifyTikTokError, mapFailReason, FAIL_REASONS, type TikTokErrorKind, type FailReason } from './errors.ts';
export {
  planChunks,
  ChunkPlanError,
  MIN_CHUNK_SIZE,
  MAX_CHUNK_SIZE,
  MAX_FINAL_CHUNK_SIZE,
  MAX_CHUNKS,
  MAX_VIDEO_SIZE,
  type ChunkPlan,
  type ChunkRange,
} from './chunk-plan.ts';
export { signWebhook, verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature.ts';
export { parseJsonLossless } from './json.ts';
export type * from './types.ts';
