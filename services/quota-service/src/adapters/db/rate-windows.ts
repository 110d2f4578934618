/**
 * Storage of the sliding rate windows: one row per window, locked for the read-decide-write so two
 * instances can never both see "5 used" and both grant the 6th.
 */
import { sql } from 'kysely';
import type { AnyDb } from '@tiktok-share/eventstore';
import { isRateEndpoint, type RateEndpoint, type RateVerdict, type RateWindowState } from '../../domain/rate-window.ts';

export interface WindowKey {
  /** `o:<openId>:<endpoint>`, or `t:<tokenKey>:<endpoint>` when the caller did not say the creator. */
  windowKey: string;
  openId: string | null;
  endpoint: RateEndpoint;
}

export function windowKeyOf(endpoint: RateEndpoint, openId: string | undefined, tokenKey: string): WindowKey {
  return openId
    ? { windowKey: `o:${openId}:${endpoint}`, openId, endpoint }
    : { windowKey: `t:${tokenKey}:${endpoint}`, openId: null, endpoint };
}

function grantsOf(value: unknown): number[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? parsed.filter((n): n is number => typeof n === 'number') : [];
}

/** Lock the window, let `decide` rule on it, store the (pruned) result. */
export async function withRateWindow(db: AnyDb, schema: string, key: WindowKey, decide: (state: RateWindowState) => RateVerdict): Promise<RateVerdict> {
  const t = sql`${sql.id(schema)}.rate_windows`;
  return db.transaction().execute(async (trx) => {
    await sql`insert into ${t} (window_key, open_id, endpoint) values (${key.windowKey}, ${key.openId}, ${key.endpoint})
      on conflict (window_key) do nothing`.execute(trx);
    const { rows } = await sql<{ grants: unknown }>`select grants from ${t} where window_key = ${key.windowKey} for update`.execute(trx);
    const verdict = decide({ grants: grantsOf(rows[0]?.grants) });
    await sql`update ${t} set grants = ${JSON.stringify(verdict.state.grants)}::jsonb where window_key = ${key.windowKey}`.execute(trx);
    return verdict;
  });
}

/** Every window of a creator, by endpoint (for the quota view). */
export async function rateWindowsOf(db: AnyDb, schema: string, openId: string): Promise<Partial<Record<RateEndpoint, RateWindowState>>> {
  const { rows } = await sql<{ endpoint: string; grants: unknown }>`select endpoint, grants from ${sql.id(schema)}.rate_windows
    where open_id = ${openId}`.execute(db);
  const out: Partial<Record<RateEndpoint, RateWindowState>> = {};
  for (const r of rows) if (isRateEndpoint(r.endpoint)) out[r.endpoint] = { grants: grantsOf(r.grants) };
  return out;
}
