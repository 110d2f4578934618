/**
 * Storage of the sliding rate windows: one row per window, written by compare-and-set so two
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

/**
 * Let `decide` rule on the window and store a grant, exactly across instances, without a
 * transaction: read the row, decide, then compare-and-set (`update … where grants = <what was
 * read>`; for a new window `insert … on conflict do nothing`). If another caller changed the window
 * in between, nothing is written and we decide again on the new value. Comparing the value rather
 * than a version is enough: the verdict depends on the value only. Two round trips per grant
 * (one for a refusal, which writes nothing) instead of begin/insert/lock/update/commit.
 */
export async function withRateWindow(db: AnyDb, schema: string, key: WindowKey, decide: (state: RateWindowState) => RateVerdict): Promise<RateVerdict> {
  const t = sql`${sql.id(schema)}.rate_windows`;
  for (let attempt = 1; ; attempt++) {
    const { rows } = await sql<{ grants: unknown }>`select grants from ${t} where window_key = ${key.windowKey}`.execute(db);
    const read = rows[0];
    const verdict = decide({ grants: grantsOf(read?.grants) });
    // A refusal changes nothing that matters: the grants it would prune are ignored when read.
    if (!verdict.granted) return verdict;
    const next = JSON.stringify(verdict.state.grants);
    const written = read
      ? await sql`update ${t} set grants = ${next}::jsonb where window_key = ${key.windowKey} and grants = ${jsonText(read.grants)}::jsonb`.execute(db)
      : await sql`insert into ${t} (window_key, open_id, endpoint, grants) values (${key.windowKey}, ${key.openId}, ${key.endpoint}, ${next}::jsonb)
          on conflict (window_key) do nothing`.execute(db);
    if (Number(written.numAffectedRows ?? 0) === 1) return verdict;
    if (attempt >= MAX_CAS_ATTEMPTS) throw new Error(`rate window ${key.endpoint} stayed contended for ${attempt} attempts`);
    // Lost the race to another grant on the same window: jittered pause, then decide on its result.
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(20, attempt)));
  }
}

const MAX_CAS_ATTEMPTS = 100;

/** The column as read, back to JSON text (pg parses jsonb; some drivers hand the text over). */
function jsonText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Every window of a creator, by endpoint (for the quota view). */
export async function rateWindowsOf(db: AnyDb, schema: string, openId: string): Promise<Partial<Record<RateEndpoint, RateWindowState>>> {
  const { rows } = await sql<{ endpoint: string; grants: unknown }>`select endpoint, grants from ${sql.id(schema)}.rate_windows
    where open_id = ${openId}`.execute(db);
  const out: Partial<Record<RateEndpoint, RateWindowState>> = {};
  for (const r of rows) if (isRateEndpoint(r.endpoint)) out[r.endpoint] = { grants: grantsOf(r.grants) };
  return out;
}
