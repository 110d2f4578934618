/**
 * Background rebuild of a service's inline projections, one at a time per service schema.
 *
 * The status lives in one row of `<schema>.es_rebuild`, not only in memory: the admin RPCs are
 * served by a queue group, so `admin.rebuild` and the polls of `admin.rebuild-status` may land on
 * different instances, and a second `admin.rebuild` on another instance must be refused too. The
 * claim is one upsert guarded by `state <> 'running'`, so two instances cannot both win. The
 * running instance refreshes `heartbeat_at`; a run whose heartbeat is older than `staleAfterMs`
 * (its instance died) no longer blocks a new rebuild and is reported as failed.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { conflict } from '@tiktok-share/platform/errors.ts';
import type { RebuildState, RebuildStatus } from '@tiktok-share/contracts/rpc.ts';
import { rebuildProjection } from './projection.ts';
import type { EventStore, InlineProjection } from './types.ts';

export type { RebuildState, RebuildStatus };

/** What the runner logs to (any pino logger). */
export interface RebuildLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RebuildRunnerOptions {
  store: EventStore;
  /** Every inline projection of the service; rebuilt one after the other. */
  projections: readonly InlineProjection[];
  logger?: RebuildLogger;
  /** Events per replay batch (progress is reported per batch); default rebuildProjection's. */
  batchSize?: number;
  /** Heartbeat period of a running rebuild; default 5 s. */
  heartbeatMs?: number;
  /** A running rebuild silent for longer is taken as dead; default 60 s. */
  staleAfterMs?: number;
}

export interface RebuildRunner {
  /** Creates `es_rebuild` (idempotent). */
  migrate(): Promise<void>;
  /**
   * Claims the service's rebuild slot and starts rebuilding in the background. 409
   * `rebuild_in_progress` while another rebuild (any instance) runs. `done` never rejects: it
   * resolves with the final status (state `done` or `failed`).
   */
  start(): Promise<{ started: true; done: Promise<RebuildStatus> }>;
  /** The last rebuild's status, as any instance sees it (`idle` when none ever ran). */
  status(): Promise<RebuildStatus>;
}

interface Run {
  runId: string;
  status: RebuildStatus & { state: RebuildState; startedAt: string | null; finishedAt: string | null };
}

interface Row {
  run_id: string;
  state: string;
  processed: string | number;
  total: string | number | null;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  error: string | null;
  stale: boolean;
}

const IDLE: RebuildStatus = { state: 'idle', running: false, processed: 0, total: null, startedAt: null, finishedAt: null };
const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

/**
 * @example
 * const runner = createRebuildRunner({ store, projections: store.inlineProjections, logger });
 * await runner.migrate(); const { done } = await runner.start(); console.log(await done);
 */
export function createRebuildRunner(opts: RebuildRunnerOptions): RebuildRunner {
  const { store } = opts;
  const table = sql`${sql.id(store.schema)}.es_rebuild`;
  const staleMs = opts.staleAfterMs ?? 60_000;
  let current: Run | undefined;
  // Status writes go out in order, off the rebuild's transaction (never awaited inside it: on
  // PGlite's single connection they simply queue until the rebuild commits).
  let writes: Promise<void> = Promise.resolve();

  const write = (run: Run, heartbeatOnly = false): void => {
    const s = run.status;
    writes = writes
      .then(async () => {
        const q = heartbeatOnly
          ? sql`update ${table} set heartbeat_at = now() where run_id = ${run.runId} and state = 'running'`
          : sql`update ${table} set state = ${s.state}, processed = ${s.processed}, total = ${s.total}, finished_at = ${s.finishedAt},
              error = ${s.error ?? null}, heartbeat_at = now() where run_id = ${run.runId}`;
        await q.execute(store.db);
      })
      .catch((err: unknown) => opts.logger?.error({ err }, 'rebuild status write failed'));
  };

  async function claim(runId: string, startedAt: string): Promise<boolean> {
    const { rows } = await sql`insert into ${table} as r (id, run_id, state, processed, total, started_at, finished_at, error, heartbeat_at)
      values (1, ${runId}, 'running', 0, null, ${startedAt}, null, null, now())
      on conflict (id) do update set run_id = excluded.run_id, state = 'running', processed = 0, total = null,
        started_at = excluded.started_at, finished_at = null, error = null, heartbeat_at = now()
      where r.state <> 'running' or r.heartbeat_at < now() - ${staleMs} * interval '1 millisecond'
      returning id`.execute(store.db);
    return rows.length === 1;
  }

  async function countTotal(): Promise<number> {
    let total = 0;
    for (const p of opts.projections) {
      const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.id(store.schema)}.es_events where type = any(${[...p.handles]})`.execute(store.db);
      total += Number(rows[0]?.n ?? 0);
    }
    return total;
  }

  async function run(r: Run): Promise<RebuildStatus> {
    const timer = setInterval(() => write(r, true), opts.heartbeatMs ?? 5_000);
    timer.unref?.();
    const s = r.status;
    try {
      s.total = await countTotal();
      write(r);
      let base = 0;
      for (const projection of opts.projections) {
        const onProgress = (p: { events: number }) => {
          s.processed = base + p.events;
          write(r);
        };
        const result = await rebuildProjection(store, projection, { onProgress, ...(opts.batchSize ? { batchSize: opts.batchSize } : {}) });
        base += result.events;
        s.processed = base;
        opts.logger?.info({ projection: projection.name, events: result.events, ms: Math.round(result.ms) }, 'projection rebuilt');
      }
      // Appends between the count and the rebuild's lock make the count a little short.
      Object.assign(s, { state: 'done', running: false, total: Math.max(s.total ?? 0, s.processed), finishedAt: new Date().toISOString() });
    } catch (err) {
      opts.logger?.error({ err }, 'projection rebuild failed');
      const message = err instanceof Error ? err.message : String(err);
      Object.assign(s, { state: 'failed', running: false, error: message.slice(0, 500) || 'rebuild failed', finishedAt: new Date().toISOString() });
    } finally {
      clearInterval(timer);
    }
    write(r);
    await writes;
    return { ...s };
  }

  return {
    async migrate() {
      await store.transaction(async (trx) => {
        // `create table if not exists` races on the catalog when instances start together.
        await sql`select pg_advisory_xact_lock(hashtext(${`es-rebuild-migrate:${store.schema}`}))`.execute(trx);
        await sql`create table if not exists ${table} (
          id int primary key check (id = 1),
          run_id text not null,
          state text not null,
          processed bigint not null default 0,
          total bigint,
          started_at timestamptz,
          finished_at timestamptz,
          error text,
          heartbeat_at timestamptz not null default now()
        )`.execute(trx);
      });
    },

    async start() {
      const refuse = () => conflict('rebuild_in_progress', 'A rebuild of this service is already running; poll admin.rebuild-status');
      if (current?.status.running) throw refuse();
      const runId = randomUUID();
      const startedAt = new Date().toISOString();
      if (!(await claim(runId, startedAt))) throw refuse();
      const r: Run = { runId, status: { state: 'running', running: true, processed: 0, total: null, startedAt, finishedAt: null } };
      current = r;
      opts.logger?.info({ projections: opts.projections.map((p) => p.name) }, 'projection rebuild started');
      return { started: true as const, done: run(r) };
    },

    async status() {
      const { rows } = await sql<Row>`select run_id, state, processed, total, started_at, finished_at, error,
          (state = 'running' and heartbeat_at < now() - ${staleMs} * interval '1 millisecond') as stale
        from ${table} where id = 1`.execute(store.db);
      const row = rows[0];
      if (!row) return current ? { ...current.status } : { ...IDLE };
      // Our own run: memory is fresher than the row (writes trail the progress).
      if (current && row.run_id === current.runId) return { ...current.status };
      return fromRow(row);
    },
  };
}

function fromRow(row: Row): RebuildStatus {
  const state = row.stale ? 'failed' : (row.state as RebuildState);
  const error = row.stale ? 'rebuild abandoned: its instance stopped reporting' : row.error;
  return {
    state,
    running: state === 'running',
    processed: Number(row.processed),
    total: row.total === null ? null : Number(row.total),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    ...(error ? { error } : {}),
  };
}
