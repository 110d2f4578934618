/**
 * Typed client of the Share to TikTok gateway (DESIGN §5) for platform teams. Types come from the
 * zod contracts in @tiktok-share/contracts, and every response is validated with them, so a
 * contract drift fails loudly at the call site instead of deep in a caller.
 */
import type { z } from 'zod';
import {
  accountListSchema, adminAuditViewSchema, adminEventsViewSchema, authUrlViewSchema, creatorInfoViewSchema,
  quotaViewSchema, shareListSchema, shareViewSchema,
  type AccountView, type AuthUrlView, type CreatorInfoView, type QuotaView, type ShareList, type ShareListQuery,
  type ShareRequestInput, type ShareView,
} from '@tiktok-share/contracts/rest.ts';
import type { Envelope } from '@tiktok-share/contracts/envelope.ts';
import type { ServiceName, ShareStatus } from '@tiktok-share/contracts/common.ts';
import { ApiError } from './errors.ts';
import { parseSse, type SseEvent } from './sse.ts';

export { ApiError } from './errors.ts';
export type { SseEvent } from './sse.ts';
export type { AccountView, AuthUrlView, CreatorInfoView, QuotaView, ShareList, ShareRequestInput, ShareView };

export interface ClientOptions {
  /** Gateway origin, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Platform JWT (`sub` = user id). A function is called per request (token refresh). */
  token: string | (() => string | Promise<string>);
  /** Custom fetch (tests, undici with a dispatcher). Default: global fetch. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

/** One event of `GET /tiktok/shares/:id/events`: the share view, or a public event envelope. */
export type ShareStreamEvent = { kind: 'share'; share: ShareView } | { kind: 'event'; type: string; envelope: Envelope };

export type ShareListParams = Partial<Pick<ShareListQuery, 'accountId' | 'limit' | 'cursor'>> & { status?: ShareStatus };
export interface AdminEventsParams { service: ServiceName; streamId?: string; after?: string; limit?: number }

/**
 * @example
 * const tiktok = createClient({ baseUrl: 'http://127.0.0.1:8080', token: jwt });
 * const { accounts } = await tiktok.listAccounts();
 * const share = await tiktok.createShare({ accountId, mode: 'direct', video: { path: 'a.mp4' }, privacyLevel: 'SELF_ONLY' }, { idempotencyKey: crypto.randomUUID() });
 * for await (const e of tiktok.shareEvents(share.shareId)) if (e.kind === 'share') console.log(e.share.status);
 */
export function createClient(options: ClientOptions) {
  const base = options.baseUrl.replace(/\/$/, '');
  const doFetch = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));

  async function send(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; auth?: boolean } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    if (init.auth !== false) headers['authorization'] = `Bearer ${typeof options.token === 'function' ? await options.token() : options.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await doFetch(`${base}${path}`, { method, headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => ({ detail: res.statusText })) as Record<string, unknown>);
    return res;
  }
  async function json<S extends z.ZodType>(schema: S, method: string, path: string, init?: Parameters<typeof send>[2]): Promise<z.output<S>> {
    return schema.parse(await (await send(method, path, init)).json());
  }
  const q = (params: Record<string, string | number | undefined>) => {
    const s = new URLSearchParams(Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined).map(([k, v]) => [k, String(v)])).toString();
    return s ? `?${s}` : '';
  };
  const enc = encodeURIComponent;

  return {
    /** Start connecting a TikTok account; send the browser to `authUrl`. */
    authUrl: (returnTo = '/'): Promise<AuthUrlView> => json(authUrlViewSchema, 'GET', `/api/v1/tiktok/auth/url${q({ returnTo })}`),
    listAccounts: (): Promise<{ accounts: AccountView[] }> => json(accountListSchema, 'GET', '/api/v1/tiktok/accounts'),
    creatorInfo: (accountId: string): Promise<CreatorInfoView> => json(creatorInfoViewSchema, 'GET', `/api/v1/tiktok/accounts/${enc(accountId)}/creator-info`),
    disconnectAccount: async (accountId: string): Promise<void> => { await send('DELETE', `/api/v1/tiktok/accounts/${enc(accountId)}`); },
    /** Same `idempotencyKey` + same body → the same share (safe to retry). */
    createShare: (body: ShareRequestInput, opts: { idempotencyKey: string }): Promise<ShareView> =>
      json(shareViewSchema, 'POST', '/api/v1/tiktok/shares', { body, headers: { 'idempotency-key': opts.idempotencyKey } }),
    listShares: (params: ShareListParams = {}): Promise<ShareList> => json(shareListSchema, 'GET', `/api/v1/tiktok/shares${q(params)}`),
    getShare: (shareId: string): Promise<ShareView> => json(shareViewSchema, 'GET', `/api/v1/tiktok/shares/${enc(shareId)}`),
    quota: (accountId: string): Promise<QuotaView> => json(quotaViewSchema, 'GET', `/api/v1/tiktok/quota${q({ accountId })}`),
    /** Live progress: the current view first, then events, until a final status (then the iterator ends). */
    async *shareEvents(shareId: string): AsyncGenerator<ShareStreamEvent> {
      const res = await send('GET', `/api/v1/tiktok/shares/${enc(shareId)}/events`, { headers: { accept: 'text/event-stream' } });
      if (!res.body) return;
      for await (const e of parseSse(res.body)) yield toStreamEvent(e);
    },
    admin: {
      events: (params: AdminEventsParams) => json(adminEventsViewSchema, 'GET', `/api/v1/admin/events${q({ ...params })}`),
      shareAudit: (shareId: string) => json(adminAuditViewSchema, 'GET', `/api/v1/admin/shares/${enc(shareId)}/audit`),
      rebuild: async (service: ServiceName): Promise<void> => { await send('POST', `/api/v1/admin/projections/${enc(service)}/rebuild`); },
    },
    health: async (): Promise<boolean> => (await doFetch(`${base}/healthz`, {})).ok,
    ready: async (): Promise<unknown> => (await doFetch(`${base}/readyz`, {})).json(),
    openApi: async (): Promise<Record<string, unknown>> => (await send('GET', '/openapi.json', { auth: false })).json() as Promise<Record<string, unknown>>,
  };
}

export type TikTokShareClient = ReturnType<typeof createClient>;

function toStreamEvent(e: SseEvent): ShareStreamEvent {
  const payload: unknown = JSON.parse(e.data);
  if (e.event === 'share') return { kind: 'share', share: shareViewSchema.parse(payload) };
  return { kind: 'event', type: e.event, envelope: payload as Envelope };
}
