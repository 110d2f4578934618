/** `quota.status`: the DESIGN §5 quota view of one creator. */
import { quotaView, type QuotaView } from '../domain/quota-view.ts';
import { creatorLedger } from '../projections/quota.queries.ts';
import { rateWindowsOf } from '../adapters/db/rate-windows.ts';
import type { QuotaContext } from './context.ts';

export async function quotaStatus(ctx: QuotaContext, input: { openId: string }): Promise<QuotaView> {
  const at = ctx.now();
  const [ledger, rate] = await Promise.all([
    creatorLedger(ctx.db, ctx.schema, input.openId, at),
    rateWindowsOf(ctx.db, ctx.schema, input.openId),
  ]);
  return quotaView(ledger, rate, at, ctx.config.policy);
}
