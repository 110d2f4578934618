/**
 * REST DTOs of the gateway (DESIGN §5), JSON in camelCase. The gateway validates requests with
 * these and generates its OpenAPI document from them; services answer RPCs with the view shapes.
 */
import { z } from 'zod';
import {
  accountStatusSchema, countSchema, failureSchema, idSchema, isoDateTimeSchema, postIdSchema,
  privacyLevelSchema, rateEndpointSchema, serviceNameSchema, shareModeSchema, shareStatusSchema,
  titleSchema, videoSourceSchema,
} from './common.ts';
import { envelopeSchema } from './envelope.ts';

// ---------- shares ----------

/**
 * Body of `POST /tiktok/shares`. `privacyLevel` has no default: TikTok's guidelines forbid a
 * preselected privacy, so Direct Post without it is a 400. `isAigc` defaults to true because the
 * platform generated the video (the user can still turn it off).
 */
export const shareRequestBodySchema = z
  .object({
    accountId: idSchema,
    mode: shareModeSchema,
    video: videoSourceSchema,
    title: titleSchema.default(''),
    privacyLevel: privacyLevelSchema.optional(),
    disableComment: z.boolean().default(false),
    disableDuet: z.boolean().default(false),
    disableStitch: z.boolean().default(false),
    coverTimestampMs: countSchema.optional(),
    brandContent: z.boolean().default(false),
    brandOrganic: z.boolean().default(false),
    isAigc: z.boolean().default(true),
  })
  .superRefine((body, ctx) => {
    if (body.mode === 'direct' && body.privacyLevel === undefined) {
      ctx.addIssue({ code: 'custom', path: ['privacyLevel'], message: 'privacyLevel is required for direct mode' });
    }
  });
/** After parsing (defaults applied). */
export type ShareRequestBody = z.infer<typeof shareRequestBodySchema>;
/** What a client may send (defaults optional). */
export type ShareRequestInput = z.input<typeof shareRequestBodySchema>;

export const shareViewSchema = z.object({
  shareId: idSchema,
  accountId: idSchema,
  mode: shareModeSchema,
  status: shareStatusSchema,
  title: z.string(),
  privacyLevel: privacyLevelSchema.nullable(),
  /** TikTok's "AI-generated" label as requested (defaults to true: the platform made the video). */
  isAigc: z.boolean().optional(),
  publishId: idSchema.nullable(),
  videoSize: countSchema.nullable(),
  uploadedBytes: countSchema,
  chunksUploaded: countSchema,
  totalChunks: countSchema.nullable(),
  postIds: z.array(postIdSchema),
  failure: failureSchema.nullable(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type ShareView = z.infer<typeof shareViewSchema>;

/** `limit` 1..100 (default 20); `cursor` is opaque (whatever `nextCursor` said). */
export const limitSchema = z.coerce.number().int().min(1).max(100).default(20);
export const cursorSchema = z.string().min(1).max(512);

export const shareListQuerySchema = z.object({
  accountId: idSchema.optional(),
  status: shareStatusSchema.optional(),
  limit: limitSchema,
  cursor: cursorSchema.optional(),
});
export type ShareListQuery = z.infer<typeof shareListQuerySchema>;

export const shareListSchema = z.object({ items: z.array(shareViewSchema), nextCursor: cursorSchema.nullable() });
export type ShareList = z.infer<typeof shareListSchema>;

export const idempotencyKeySchema = z.string().min(1).max(255);

// ---------- accounts ----------

export const accountViewSchema = z.object({
  accountId: idSchema,
  openId: idSchema,
  displayName: z.string(),
  avatarUrl: z.string().nullable(),
  scopes: z.array(z.string()),
  status: accountStatusSchema,
  connectedAt: isoDateTimeSchema,
});
export type AccountView = z.infer<typeof accountViewSchema>;

export const accountListSchema = z.object({ accounts: z.array(accountViewSchema) });

export const accountParamsSchema = z.object({ accountId: idSchema });
export const shareParamsSchema = z.object({ shareId: idSchema });

export const creatorInfoViewSchema = z.object({
  nickname: z.string(),
  username: z.string(),
  avatarUrl: z.string().nullable(),
  privacyLevelOptions: z.array(privacyLevelSchema),
  commentDisabled: z.boolean(),
  duetDisabled: z.boolean(),
  stitchDisabled: z.boolean(),
  maxVideoPostDurationSec: countSchema,
  canPost: z.boolean(),
  /** Why the creator cannot post now (e.g. `spam_risk_too_many_posts`), only when `canPost` is false. */
  reason: z.string().optional(),
});
export type CreatorInfoView = z.infer<typeof creatorInfoViewSchema>;

// ---------- quota ----------

export const quotaQuerySchema = z.object({ accountId: idSchema });

export const quotaViewSchema = z.object({
  daily: z.object({ limit: countSchema, used: countSchema, remaining: countSchema, resetsAt: isoDateTimeSchema.nullable() }),
  drafts: z.object({ limit: countSchema, pending: countSchema }),
  rate: z.partialRecord(rateEndpointSchema, z.object({ limit: countSchema, used: countSchema, resetsAt: isoDateTimeSchema.nullable() })),
});
export type QuotaView = z.infer<typeof quotaViewSchema>;

// ---------- OAuth ----------

/**
 * A safe post-login redirect target: a relative path on our own origin. Rejects `//host`
 * (protocol-relative), `/\host` (browsers treat `\` as `/`), schemes, and control characters.
 */
export function isSafeReturnTo(value: string): boolean {
  if (!value.startsWith('/')) return false;
  if (value.startsWith('//') || value.startsWith('/\\')) return false;
  if (/[\u0000-\u001f\u007f]/.test(value)) return false;
  // A scheme can only sneak in before the first '/', which is position 0 here; still reject
  // encoded slashes at the start that some servers decode before redirecting.
  if (/^\/%(2f|5c)/i.test(value)) return false;
  return value.length <= 2048;
}

/** Zod issues carry `params.code`, which the problem renderer uses as the problem `code`. */
export const returnToSchema = z
  .string()
  .refine(isSafeReturnTo, { message: 'returnTo must be a relative path starting with a single /', params: { code: 'invalid_return_to' } });

export const authUrlQuerySchema = z.object({ returnTo: returnToSchema.default('/') });
export const authUrlViewSchema = z.object({ authUrl: z.url(), state: z.string().min(1), expiresAt: isoDateTimeSchema });
export type AuthUrlView = z.infer<typeof authUrlViewSchema>;

/** TikTok's redirect back: success (`code`, `scopes`) or failure (`error`, `error_description`). */
export const authCallbackQuerySchema = z.object({
  state: z.string().max(512).optional(),
  code: z.string().max(2048).optional(),
  scopes: z.string().max(2048).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
});

// ---------- webhooks ----------

/** TikTok webhook body (snake_case as TikTok sends it); `content` is JSON in a string. */
export const tiktokWebhookSchema = z.object({
  client_key: z.string(),
  event: z.string().min(1),
  create_time: z.number().int(),
  user_openid: z.string(),
  content: z.string(),
});
export type TikTokWebhook = z.infer<typeof tiktokWebhookSchema>;

// ---------- errors ----------

/** RFC 9457 problem details as rendered by the gateway; extra fields sit at the top level. */
export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  requestId: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  retryAt: isoDateTimeSchema.optional(),
});
export type Problem = z.infer<typeof problemSchema>;

// ---------- admin ----------

export const adminEventsQuerySchema = z.object({
  service: serviceNameSchema,
  streamId: idSchema.optional(),
  /** Opaque checkpoint from a previous page's `next`. */
  after: cursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type AdminEventsQuery = z.infer<typeof adminEventsQuerySchema>;

export const adminEventsViewSchema = z.object({ items: z.array(envelopeSchema), next: cursorSchema.nullable() });
export const adminAuditViewSchema = z.object({ events: z.array(envelopeSchema) });
export const adminServiceParamsSchema = z.object({ service: serviceNameSchema });
