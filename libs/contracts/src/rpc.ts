/**
 * Commands and queries between the gateway and the services (NATS request/reply, queue group =
 * service name): subject + input + output schema per op (docs/internals.md "RPC operations").
 * Ops acting for a user carry `userId` (JWT `sub`); services answer `not_found` for anything the
 * user does not own. Failures travel as AppError replies (libs/messaging rpc), not in outputs.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  countSchema, idSchema, isoDateTimeSchema, rateEndpointSchema, serviceNameSchema, shareModeSchema,
  shareStatusSchema, type ServiceName,
} from './common.ts';
import { envelopeSchema } from './envelope.ts';
import { quotaKindSchema } from './quota-events.ts';
import {
  accountViewSchema, authUrlViewSchema, creatorInfoViewSchema, cursorSchema, idempotencyKeySchema,
  quotaViewSchema, returnToSchema, shareListSchema, shareRequestBodySchema, shareViewSchema, tiktokWebhookSchema,
} from './rest.ts';

/** One RPC operation. */
export interface RpcDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  subject: string;
  input: I;
  output: O;
}
export type RpcInput<R extends RpcDef> = z.input<R['input']>;
export type RpcOutput<R extends RpcDef> = z.infer<R['output']>;

function op<I extends z.ZodType, O extends z.ZodType>(subject: string, input: I, output: O): RpcDef<I, O> {
  return { subject, input, output };
}

const empty = z.object({});
const userAccount = z.object({ userId: idSchema, accountId: idSchema });

// ---------- auth ----------

export const authStart = op('tiktok.rpc.auth.start', z.object({ userId: idSchema, returnTo: returnToSchema }), authUrlViewSchema);

/** Always answers a redirect (errors included): the browser is mid-OAuth and needs somewhere to go. */
export const authCallback = op(
  'tiktok.rpc.auth.callback',
  z.object({
    state: z.string().max(512),
    code: z.string().max(2048).optional(),
    scopes: z.string().max(2048).optional(),
    error: z.string().max(256).optional(),
    errorDescription: z.string().max(2048).optional(),
  }),
  z.object({ redirectTo: z.string().min(1) }),
);

export const authAccountsList = op('tiktok.rpc.auth.accounts.list', z.object({ userId: idSchema }), z.object({ accounts: z.array(accountViewSchema) }));
export const authAccountsGet = op('tiktok.rpc.auth.accounts.get', userAccount, accountViewSchema);
export const authAccountsDisconnect = op('tiktok.rpc.auth.accounts.disconnect', userAccount, empty);

/**
 * Fingerprint of an access token: lowercase hex sha256. Lets a caller name the token TikTok
 * refused (`rejectedAccessTokenSha256`) without ever sending the token itself back.
 * @example callRpc(bus, authToken.subject, { accountId, rejectedAccessTokenSha256: accessTokenFingerprint(dead) }, authToken.output)
 */
export function accessTokenFingerprint(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'utf8').digest('hex');
}

/**
 * Internal only (publisher → auth), never exposed by the gateway: the one place an access token
 * crosses a process boundary. 409 `reauthorization_required` when no valid token can be had.
 * `rejectedAccessTokenSha256` (optional, additive): TikTok answered 401 `access_token_invalid` for
 * the token with this fingerprint (TikTok can invalidate before the announced expiry); if it is
 * still the current one, auth refreshes now instead of handing the dead token back.
 * `userId` (optional, additive): auth also checks ownership exactly as `accounts.get` does (404
 * `not_found` for a foreign or unknown account, then 409 `reauthorization_required`) and echoes
 * `userId` and `status` — one round trip for the publisher's accept path instead of two. A caller
 * must treat a reply WITHOUT the echoed `userId` as unchecked (an older auth ignores the field).
 */
export const authToken = op(
  'tiktok.rpc.auth.token',
  z.object({
    accountId: idSchema,
    rejectedAccessTokenSha256: z.string().regex(/^[0-9a-f]{64}$/, 'lowercase hex sha256').optional(),
    userId: idSchema.optional(),
  }),
  z.object({
    accessToken: z.string().min(1), openId: idSchema, scopes: z.array(z.string()), accessExpiresAt: isoDateTimeSchema,
    /** Present only when the request carried `userId` and ownership was checked: the owner. */
    userId: idSchema.optional(),
    /** Present with `userId`; always `connected` (any other status is answered 409). */
    status: z.literal('connected').optional(),
  }),
);

/** A webhook whose signature the gateway already verified. */
export const authWebhook = op('tiktok.rpc.auth.webhook', tiktokWebhookSchema, empty);

// ---------- quota ----------

/** 429 `daily_limit_reached` / `pending_drafts_limit_reached` (with `retryAt`), 422 `unaudited_app_creator_cap`. */
export const quotaReserve = op(
  'tiktok.rpc.quota.reserve',
  z.object({ shareId: idSchema, accountId: idSchema, openId: idSchema, mode: shareModeSchema, at: isoDateTimeSchema.optional() }),
  z.object({
    reservationId: idSchema,
    kind: quotaKindSchema,
    used: countSchema,
    limit: countSchema,
    windowStartsAt: isoDateTimeSchema,
  }),
);

export const quotaRelease = op('tiktok.rpc.quota.release', z.object({ shareId: idSchema, reason: z.string().min(1).max(100) }), empty);

/**
 * Sliding-minute rate window per token and endpoint. `tokenKey` is a hash of the open_id and the
 * token generation — never the token itself. `openId` (optional, additive): when given, the quota
 * service keys the window by creator (one live token per creator), so `quota.status` can show it.
 */
export const quotaAcquire = op(
  'tiktok.rpc.quota.acquire',
  z.object({ tokenKey: z.string().min(1).max(256), endpoint: rateEndpointSchema, openId: idSchema.optional() }),
  z.discriminatedUnion('granted', [
    z.object({ granted: z.literal(true) }),
    z.object({ granted: z.literal(false), waitMs: countSchema }),
  ]),
);

/** TikTok itself said the creator is out of budget (other apps spend it too). */
export const quotaExhausted = op(
  'tiktok.rpc.quota.exhausted',
  z.object({
    openId: idSchema,
    code: z.enum(['spam_risk_too_many_posts', 'spam_risk_too_many_pending_share']),
    at: isoDateTimeSchema.optional(),
  }),
  empty,
);

export const quotaStatus = op('tiktok.rpc.quota.status', z.object({ openId: idSchema }), quotaViewSchema);

// ---------- publisher ----------

export const publisherCreatorInfo = op('tiktok.rpc.publisher.creator-info', userAccount, creatorInfoViewSchema);

export const publisherSharesCreate = op(
  'tiktok.rpc.publisher.shares.create',
  z.object({ userId: idSchema, idempotencyKey: idempotencyKeySchema, request: shareRequestBodySchema }),
  shareViewSchema,
);

export const publisherSharesGet = op('tiktok.rpc.publisher.shares.get', z.object({ userId: idSchema, shareId: idSchema }), shareViewSchema);

export const publisherSharesList = op(
  'tiktok.rpc.publisher.shares.list',
  z.object({
    userId: idSchema,
    accountId: idSchema.optional(),
    status: shareStatusSchema.optional(),
    limit: z.number().int().min(1).max(100).default(20),
    cursor: cursorSchema.optional(),
  }),
  shareListSchema,
);

export const publisherWebhook = op('tiktok.rpc.publisher.webhook', tiktokWebhookSchema, empty);

// ---------- per-service admin and health ----------

const adminEventsInput = z.object({
  streamId: idSchema.optional(),
  after: cursorSchema.optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
const adminEventsOutput = z.object({ items: z.array(envelopeSchema), next: cursorSchema.nullable() });
const adminAuditOutput = z.object({ events: z.array(envelopeSchema) });
const healthOutput = z.object({ service: z.string(), db: z.boolean(), bus: z.boolean() });

/** Where a service's projection rebuild stands. */
export const rebuildStateSchema = z.enum(['idle', 'running', 'done', 'failed']);
export type RebuildState = z.infer<typeof rebuildStateSchema>;

/**
 * Reply of `admin.rebuild-status`: events replayed so far out of `total` (null when unknown);
 * `error` only when the last rebuild failed. `running`/`processed`/`total`/`error` are what the
 * replay CLI needs; `state`, `startedAt`, `finishedAt` are additive (optional so a bare responder
 * stays valid).
 */
export const rebuildStatusSchema = z.object({
  running: z.boolean(),
  processed: z.number().int().nonnegative(),
  total: z.number().int().nonnegative().nullable(),
  error: z.string().optional(),
  state: rebuildStateSchema.optional(),
  startedAt: isoDateTimeSchema.nullable().optional(),
  finishedAt: isoDateTimeSchema.nullable().optional(),
});
export type RebuildStatus = z.infer<typeof rebuildStatusSchema>;

/**
 * The admin and health ops every service answers, on `tiktok.rpc.<svc>.…`.
 * @example callRpc(bus, adminRpc('quota').events.subject, { limit: 50 }, adminRpc('quota').events.output)
 */
export function adminRpc(service: ServiceName) {
  const base = `tiktok.rpc.${serviceNameSchema.parse(service)}`;
  return {
    events: op(`${base}.admin.events`, adminEventsInput, adminEventsOutput),
    audit: op(`${base}.admin.audit`, z.object({ shareId: idSchema }), adminAuditOutput),
    /** Runs in the background; 409 `rebuild_in_progress` while one runs; progress via rebuildStatus. */
    rebuild: op(`${base}.admin.rebuild`, empty, z.object({ started: z.literal(true) })),
    /** Progress of the last rebuild (polled by `npm run replay`). */
    rebuildStatus: op(`${base}.admin.rebuild-status`, empty, rebuildStatusSchema),
    health: op(`${base}.health`, empty, healthOutput),
    /** Prometheus text exposition of the service's own registry (the gateway merges it into `/metrics`). */
    metrics: op(`${base}.metrics`, empty, z.object({ text: z.string() })),
  };
}

/** Queue group of a service's responders (so instances share the load). */
export function rpcQueue(service: ServiceName): string {
  return `${service}-service`;
}

/** Every fixed op, keyed by a short name (handy for docs and tests). */
export const rpcOps = {
  authStart, authCallback, authAccountsList, authAccountsGet, authAccountsDisconnect, authToken, authWebhook,
  quotaReserve, quotaRelease, quotaAcquire, quotaExhausted, quotaStatus,
  publisherCreatorInfo, publisherSharesCreate, publisherSharesGet, publisherSharesList, publisherWebhook,
} as const;
