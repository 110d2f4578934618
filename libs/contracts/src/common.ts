/**
 * Primitives shared by events, REST DTOs and RPC schemas. Everything that crosses a process
 * boundary is built from these, so a rule (e.g. "post ids are decimal strings") lives in one place.
 */
import { z } from 'zod';

/** An opaque identifier (uuid, ULID, TikTok open_id, publish_id…). Bounded so logs stay sane. */
export const idSchema = z.string().min(1).max(256);

/** ISO 8601 date-time, `Z` or an explicit offset (what `Date#toISOString` and Postgres produce). */
export const isoDateTimeSchema = z.iso.datetime({ offset: true });

/** Non-negative safe integer (byte counts up to 4 GB and beyond fit). */
export const countSchema = z.number().int().nonnegative();

/** `direct` = Direct Post to the profile; `draft` = upload to the creator's inbox. */
export const shareModeSchema = z.enum(['direct', 'draft']);
export type ShareMode = z.infer<typeof shareModeSchema>;

/** TikTok `privacy_level` values; a creator is offered a subset (creator_info `privacy_level_options`). */
export const privacyLevelSchema = z.enum(['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY']);
export type PrivacyLevel = z.infer<typeof privacyLevelSchema>;

/** TikTok `source` of an init call: we push the bytes, or TikTok pulls from a verified URL prefix. */
export const uploadSourceSchema = z.enum(['FILE_UPLOAD', 'PULL_FROM_URL']);
export type UploadSource = z.infer<typeof uploadSourceSchema>;

/**
 * TikTok post ids (`publicaly_available_post_id`) are int64 beyond 2^53: they must be parsed
 * losslessly at the TikTok edge and travel as decimal strings everywhere else. A JS number here
 * would already have lost digits, so numbers are rejected rather than coerced.
 */
export const postIdSchema = z.string().regex(/^\d{1,20}$/, 'post ids are decimal strings');

/** Title limit of TikTok, counted in UTF-16 code units, which is exactly JS `string.length`. */
export const TITLE_MAX_UTF16 = 2200;
// Not `.max()`: zod 4 counts code points there (an emoji = 1), TikTok counts UTF-16 code units
// (an emoji = 2), which is exactly JS `string.length`. The JSON Schema gets `maxLength` for docs.
export const titleSchema = z
  .string()
  .refine((s) => s.length <= TITLE_MAX_UTF16, { message: `title must be at most ${TITLE_MAX_UTF16} UTF-16 code units` })
  .meta({ maxLength: TITLE_MAX_UTF16, description: `At most ${TITLE_MAX_UTF16} UTF-16 code units (an emoji counts 2).` });

/** Local file, resolved inside MEDIA_ROOT by the publisher (containment is checked there, 422). */
export const pathSourceSchema = z.strictObject({
  path: z.string().min(1).max(1024).refine((p) => !p.includes('\0'), { message: 'path must not contain NUL' }),
});
/** Remote file; the allowlist and https-only rule are enforced by the publisher (422). */
export const urlSourceSchema = z.strictObject({ url: z.url({ protocol: /^https?$/ }).max(2048) });
/** Exactly one of `{ path }` or `{ url }` (strict objects, so both at once is rejected). */
export const videoSourceSchema = z.union([pathSourceSchema, urlSourceSchema]);
export type VideoSource = z.infer<typeof videoSourceSchema>;

/** Containers TikTok accepts for video. */
export const containerSchema = z.enum(['mp4', 'mov', 'webm']);

/** Share lifecycle as seen by users. */
export const shareStatusSchema = z.enum(['requested', 'uploading', 'processing', 'in_inbox', 'published', 'failed']);
export type ShareStatus = z.infer<typeof shareStatusSchema>;

/** Connection status of a TikTok account. */
export const accountStatusSchema = z.enum(['connected', 'reauthorization_required', 'disconnected']);
export type AccountStatus = z.infer<typeof accountStatusSchema>;

/** Services owning an event log (admin routes, RPC subjects). */
export const serviceNameSchema = z.enum(['auth', 'quota', 'publisher']);
export type ServiceName = z.infer<typeof serviceNameSchema>;

/** Rate-limited TikTok endpoints (per access token, sliding minute). */
export const rateEndpointSchema = z.enum(['video_init', 'inbox_init', 'creator_info', 'status']);
export type RateEndpoint = z.infer<typeof rateEndpointSchema>;

/** A failure as shown to users and carried by `PublishFailed`. */
export const failureSchema = z.object({ code: z.string().min(1), message: z.string(), retryable: z.boolean() });
export type Failure = z.infer<typeof failureSchema>;
