/** Events of the auth service (stream TIKTOK_AUTH, `tiktok.account.>`). Never a token here. */
import { z } from 'zod';
import { idSchema, isoDateTimeSchema } from './common.ts';

export const accountConnectedData = z.object({
  accountId: idSchema,
  userId: idSchema,
  openId: idSchema,
  displayName: z.string(),
  avatarUrl: z.string().nullable(),
  scopes: z.array(z.string().min(1)),
  /** When the account moved here from another platform user (`connected_elsewhere`). */
  previousUserId: idSchema.nullable().optional(),
  accessExpiresAt: isoDateTimeSchema.optional(),
  refreshExpiresAt: isoDateTimeSchema.optional(),
  /** When this connection was made (a reconnect keeps the account id and sets it anew). */
  connectedAt: isoDateTimeSchema.optional(),
});

export const accountTokenRefreshedData = z.object({
  accountId: idSchema,
  openId: idSchema.optional(),
  accessExpiresAt: isoDateTimeSchema,
  refreshExpiresAt: isoDateTimeSchema,
  scopes: z.array(z.string().min(1)).optional(),
});

/**
 * `user`: disconnected by the user here; `revoked_at_tiktok`: `authorization.removed` webhook or a
 * revoked token; `refresh_failed`: the refresh token no longer works; `connected_elsewhere`: another
 * platform user authorized the same TikTok account (an open_id belongs to one user at a time).
 */
export const disconnectReasonSchema = z.enum(['user', 'revoked_at_tiktok', 'refresh_failed', 'connected_elsewhere']);

export const accountDisconnectedData = z.object({
  accountId: idSchema,
  userId: idSchema,
  openId: idSchema,
  reason: disconnectReasonSchema,
});
