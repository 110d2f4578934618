/** Events of the quota service (stream TIKTOK_QUOTA, `tiktok.quota.>`). */
import { z } from 'zod';
import { countSchema, idSchema, isoDateTimeSchema } from './common.ts';

/** `daily_post`: Direct Post cap per creator per rolling 24 h; `pending_draft`: inbox drafts awaiting the creator. */
export const quotaKindSchema = z.enum(['daily_post', 'pending_draft']);
export type QuotaKind = z.infer<typeof quotaKindSchema>;

export const quotaRejectionCodeSchema = z.enum(['daily_limit_reached', 'pending_drafts_limit_reached', 'unaudited_app_creator_cap']);

const usage = {
  shareId: idSchema,
  openId: idSchema,
  accountId: idSchema,
  kind: quotaKindSchema,
  /** Slots used in the window, this reservation included (Reserved) or not (Rejected). */
  used: countSchema,
  limit: countSchema,
  /** Start of the rolling 24 h window the usage was counted in. */
  windowStartsAt: isoDateTimeSchema,
};

export const quotaReservedData = z.object({
  ...usage,
  reservationId: idSchema.optional(),
});

export const quotaRejectedData = z.object({
  ...usage,
  code: quotaRejectionCodeSchema,
  /** When a slot frees up; null when unknown. */
  retryAt: isoDateTimeSchema.nullable(),
});

/** A reservation returned (share failed before TikTok counted it, draft resolved, expired…). */
export const quotaReleasedData = z.object({
  shareId: idSchema,
  openId: idSchema,
  /** Free text code such as `publish_failed`, `init_rejected`, `expired`. */
  reason: z.string().min(1).max(100),
  kind: quotaKindSchema.optional(),
});
