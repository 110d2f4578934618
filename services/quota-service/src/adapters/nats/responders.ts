/** RPC responders `tiktok.rpc.quota.*` (queue group `quota-service`, shared by every instance). */
import { adminRpc, quotaAcquire, quotaExhausted, quotaRelease, quotaReserve, quotaStatus, rpcQueue } from '@tiktok-share/contracts/rpc.ts';
import { serveRpc, type Bus, type BusLogger, type Subscription } from '@tiktok-share/messaging';
import type { InlineProjection } from '@tiktok-share/eventstore';
import { acquireRateSlot } from '../../application/acquire-rate.ts';
import { adminAudit, adminEvents, adminRebuild, health } from '../../application/admin.ts';
import { quotaStatus as status } from '../../application/quota-status.ts';
import { recordExhaustion, releaseQuota } from '../../application/release-quota.ts';
import { reserveQuota } from '../../application/reserve-quota.ts';
import type { QuotaContext } from '../../application/context.ts';

export async function startResponders(ctx: QuotaContext, bus: Bus, projection: InlineProjection, logger: BusLogger): Promise<Subscription[]> {
  const opts = { queue: rpcQueue('quota'), logger };
  const admin = adminRpc('quota');
  return Promise.all([
    serveRpc(bus, quotaReserve.subject, quotaReserve.input, (i) => reserveQuota(ctx, i), opts),
    serveRpc(bus, quotaRelease.subject, quotaRelease.input, (i) => releaseQuota(ctx, i), opts),
    serveRpc(bus, quotaAcquire.subject, quotaAcquire.input, (i) => acquireRateSlot(ctx, i), opts),
    serveRpc(bus, quotaExhausted.subject, quotaExhausted.input, (i) => recordExhaustion(ctx, i), opts),
    serveRpc(bus, quotaStatus.subject, quotaStatus.input, (i) => status(ctx, i), opts),
    serveRpc(bus, admin.events.subject, admin.events.input, (i) => adminEvents(ctx, i), opts),
    serveRpc(bus, admin.audit.subject, admin.audit.input, (i) => adminAudit(ctx, i), opts),
    serveRpc(bus, admin.rebuild.subject, admin.rebuild.input, () => ({ started: adminRebuild(ctx, projection).started }), opts),
    serveRpc(bus, admin.health.subject, admin.health.input, () => health(ctx, bus), opts),
  ]);
}
