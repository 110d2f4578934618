/** The publisher's RPC responders (queue group `publisher`, so instances share the load). */
import { serveRpc } from '@tiktok-share/messaging/rpc.ts';
import type { Bus, Subscription } from '@tiktok-share/messaging/port.ts';
import {
  publisherCreatorInfo, publisherSharesCreate, publisherSharesGet, publisherSharesList, publisherWebhook, rpcQueue,
} from '@tiktok-share/contracts/rpc.ts';
import { serveAdminRpcs } from '@tiktok-share/eventstore/admin.ts';
import { notFound } from '@tiktok-share/platform/errors.ts';
import type { PublisherContext } from '../../application/context.ts';
import { getCreatorInfo } from '../../application/creator-info.ts';
import { listShares } from '../../application/list-shares.ts';
import { onWebhook } from '../../application/on-webhook.ts';
import { requestShare } from '../../application/request-share.ts';
import { findShareView } from '../../projections/share-view.queries.ts';

export async function startResponders(ctx: PublisherContext, onAccepted: () => void): Promise<Subscription[]> {
  const o = { queue: rpcQueue('publisher'), logger: ctx.logger };
  const { bus } = ctx;
  return Promise.all([
    serveRpc(bus, publisherSharesCreate.subject, publisherSharesCreate.input, async (input) => {
      const view = await requestShare(ctx, input);
      onAccepted();
      return view;
    }, o),
    serveRpc(bus, publisherSharesGet.subject, publisherSharesGet.input, async (input) => {
      const v = await findShareView(ctx.store.db, ctx.schema, input.userId, input.shareId);
      if (!v) throw notFound('Share not found');
      return v;
    }, o),
    serveRpc(bus, publisherSharesList.subject, publisherSharesList.input, (input) => listShares(ctx, input), o),
    serveRpc(bus, publisherCreatorInfo.subject, publisherCreatorInfo.input, (input) => getCreatorInfo(ctx, input), o),
    serveRpc(bus, publisherWebhook.subject, publisherWebhook.input, (input, rpc) => onWebhook(ctx, input, dedupeIdOf(rpc.headers)), o),
    // Admin + health: the shared ops; the rebuild covers both inline projections (share view and work queue).
    serveAdminRpcs({ bus, service: 'publisher', store: ctx.store, schema: ctx.schema, projections: ctx.store.inlineProjections, logger: ctx.logger }),
  ] as Array<Promise<Subscription | Subscription[]>>).then((subs) => subs.flat());
}

/** The gateway's `webhook-dedupe-id` RPC header (header names compared case-insensitively). */
export function dedupeIdOf(headers: Record<string, string>): string | undefined {
  const hit = Object.entries(headers).find(([k]) => k.toLowerCase() === 'webhook-dedupe-id');
  return hit && /^[0-9a-f]{64}$/.test(hit[1]) ? hit[1] : undefined;
}
