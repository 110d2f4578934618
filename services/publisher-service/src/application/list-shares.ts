/**
 * `tiktok.rpc.publisher.shares.list`: the user's shares, newest first, keyset-paged. An `accountId`
 * filter must name one of the user's accounts (auth answers 404 for anyone else's, DESIGN §5) —
 * an empty page would tell the caller nothing but also hide that they asked about a stranger.
 */
import type { ShareView } from '@tiktok-share/contracts/rest.ts';
import { listShareViews } from '../projections/share-view.queries.ts';
import type { PublisherContext } from './context.ts';

export interface ListSharesInput {
  userId: string;
  accountId?: string | undefined;
  status?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export async function listShares(ctx: PublisherContext, input: ListSharesInput): Promise<{ items: ShareView[]; nextCursor: string | null }> {
  if (input.accountId) await ctx.ports.getAccount(input.userId, input.accountId);
  return listShareViews(ctx.store.db, ctx.schema, input);
}
