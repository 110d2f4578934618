/** Events of the publisher (stream TIKTOK_PUBLISHER, `tiktok.share.>`). correlationId = shareId. */
import { z } from 'zod';
import {
  containerSchema, countSchema, idSchema, isoDateTimeSchema, postIdSchema, privacyLevelSchema,
  shareModeSchema, titleSchema, uploadSourceSchema, videoSourceSchema,
} from './common.ts';

/** Post settings as requested. Drafts ignore all but the video at TikTok; they are kept for audit. */
export const postSettingsSchema = z.object({
  title: titleSchema,
  /** Null for drafts (the creator picks it in the TikTok app). */
  privacyLevel: privacyLevelSchema.nullable(),
  disableComment: z.boolean(),
  disableDuet: z.boolean(),
  disableStitch: z.boolean(),
  coverTimestampMs: countSchema.nullable(),
  brandContent: z.boolean(),
  brandOrganic: z.boolean(),
  isAigc: z.boolean(),
});
export type PostSettings = z.infer<typeof postSettingsSchema>;

export const shareVideoSchema = z.object({
  source: videoSourceSchema,
  size: countSchema.optional(),
  durationSec: z.number().nonnegative().optional(),
  container: containerSchema.optional(),
});

export const shareRequestedData = z.object({
  shareId: idSchema,
  userId: idSchema,
  accountId: idSchema,
  openId: idSchema.optional(),
  mode: shareModeSchema,
  video: shareVideoSchema,
  postSettings: postSettingsSchema,
});

export const uploadInitializedData = z.object({
  shareId: idSchema,
  publishId: idSchema,
  mode: shareModeSchema,
  source: uploadSourceSchema,
  videoSize: countSchema,
  /** FILE_UPLOAD chunk plan (DESIGN §8); for PULL_FROM_URL chunkSize = videoSize, totalChunks = 1 by convention. */
  chunkSize: countSchema,
  totalChunks: z.number().int().positive(),
});

export const chunkUploadedData = z.object({
  shareId: idSchema,
  publishId: idSchema,
  /** 0-based index of the chunk just acknowledged by TikTok. */
  chunkIndex: countSchema,
  totalChunks: z.number().int().positive(),
  uploadedBytes: countSchema,
  videoSize: countSchema,
});

export const publishCompletedData = z.object({
  shareId: idSchema,
  publishId: idSchema,
  mode: shareModeSchema,
  /** Decimal strings (int64 at TikTok); empty until a post is public and moderated. */
  postIds: z.array(postIdSchema),
  completedAt: isoDateTimeSchema,
});

/** Where the saga stopped. */
export const publishStageSchema = z.enum(['validation', 'quota', 'token', 'init', 'upload', 'processing']);

export const publishFailedData = z.object({
  shareId: idSchema,
  publishId: idSchema.nullable().optional(),
  code: z.string().min(1),
  message: z.string(),
  retryable: z.boolean(),
  stage: publishStageSchema,
});
