/**
 * `quota.acquire`: may this token call this TikTok endpoint now? "go", or "wait N ms" — callers
 * wait and ask again rather than fail (TikTok answers 429 otherwise, and counts the 429 too).
 */
import { acquireRate, RATE_LIMITS, type RateEndpoint } from '../domain/rate-window.ts';
import { windowKeyOf, withRateWindow } from '../adapters/db/rate-windows.ts';
import type { QuotaContext } from './context.ts';

export type AcquireResult = { granted: true } | { granted: false; waitMs: number };

export async function acquireRateSlot(
  ctx: QuotaContext,
  input: { tokenKey: string; endpoint: RateEndpoint; openId?: string | undefined },
): Promise<AcquireResult> {
  const at = ctx.now();
  const key = windowKeyOf(input.endpoint, input.openId, input.tokenKey);
  const verdict = await withRateWindow(ctx.db, ctx.schema, key, (state) => acquireRate(state, at, RATE_LIMITS[input.endpoint]));
  return verdict.granted ? { granted: true } : { granted: false, waitMs: verdict.waitMs };
}
