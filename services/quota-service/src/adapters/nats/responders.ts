/** RPC responders `tiktok.rpc.quota.*` (queue group `quota-service`, shared by every instance). */
import { quotaAcquire, quotaExhausted, quotaRelease, quotaReserve, quotaStatus, rpcQueue } from '@tiktok-share/contracts/rpc.ts';
import { serveRpc, type Bus, type BusLogger, type Subscription } from '@tiktok-share/messaging';
import { serveAdminRpcs } from '@tiktok-share/eventstore';
import { acquireRateSlot } from '../../application/acquire-rate.ts';
import { quotaStatus as status } from '../../application/quota-status.ts';
import { recordExhaustion, releaseQuota } from '../../application/release-quota.ts';
import { reserveQuota } from '../../application/reserve-quota.ts';
import type { QuotaContext } from '../../application/context.ts';

export async function startResponders(ctx: QuotaContext, bus: Bus, logger: BusLogger): Promise<Subscription[]> {
  const opts = { queue: rpcQueue('quota'), logger };
  const { store, schema } = ctx;
  const subs = await Promise.all([
    serveRpc(bus, quotaReserve.subject, quotaReserve.input, (i) => reserveQuota(ctx, i), opts),
    serveRpc(bus, quotaRelease.subject, quotaRelease.input, (i) => releaseQuota(ctx, i), opts),
    serveRpc(bus, quotaAcquire.subject, quotaAcquire.input, (i) => acquireRateSlot(ctx, i), opts),
    serveRpc(bus, quotaExhausted.subject, quotaExhausted.input, (i) => recordExhaustion(ctx, i), opts),
    serveRpc(bus, quotaStatus.subject, quotaStatus.input, (i) => status(ctx, i), opts),
  ]);
  // Quota events carry correlationId = shareId (stored-events.ts), so the shared audit finds them.
  const admin = await serveAdminRpcs({ bus, service: 'quota', store, schema, projections: store.inlineProjections, logger });
  return [...subs, ...admin];
}
