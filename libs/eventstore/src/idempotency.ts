/**
 * Idempotency keys (REST `Idempotency-Key`): the first request with a key runs and its response is
 * stored in the same transaction as its writes; a retry with the same body gets the stored response;
 * the same key with another body is an error.
 *
 * Concurrency: insert-first. The row is inserted (with no response yet) before `run`; a concurrent
 * first call's `insert ... on conflict do nothing` waits until ours commits (then sees the row and
 * its response) or rolls back (then runs itself). So `run` never executes twice for one key.
 */
import { sql, type RawBuilder } from 'kysely';
import type { AnyDb, AnyTrx } from './types.ts';

export class IdempotencyKeyReusedError extends Error {
  readonly code = 'idempotency_key_reused';
  readonly status = 409;
  constructor(readonly scope: string, readonly key: string) {
    super('the idempotency key was already used with a different request');
    this.name = 'IdempotencyKeyReusedError';
  }
}

export interface IdempotentOptions<T> {
  db: AnyDb;
  schema: string;
  /** Namespace of keys, e.g. `shares.create:<userId>` (keys are per client). */
  scope: string;
  key: string;
  /** Hash of the canonical request body. */
  requestHash: string;
  /** The work; its writes and the stored response commit together. Must return JSON-serialisable data. */
  run(trx: AnyTrx): Promise<T>;
}

export interface IdempotentResult<T> {
  response: T;
  /** True when the stored response of an earlier call was returned and `run` did not execute. */
  replayed: boolean;
}

/**
 * @example
 * const { response } = await idempotent({ db, schema, scope: `share:${userId}`, key, requestHash: sha256(body), run: (trx) => createShare(trx, body) });
 */
export async function idempotent<T>(opts: IdempotentOptions<T>): Promise<IdempotentResult<T>> {
  const t = sql`${sql.id(opts.schema)}.es_idempotency`;
  return opts.db.transaction().execute(async (trx): Promise<IdempotentResult<T>> => {
    const inserted = await sql`
      insert into ${t} (scope, key, request_hash) values (${opts.scope}, ${opts.key}, ${opts.requestHash})
      on conflict do nothing returning 1 as inserted`.execute(trx);
    if (inserted.rows.length === 0) return replay<T>(trx, t, opts);
    const response = await opts.run(trx);
    await sql`update ${t} set response = ${JSON.stringify(response ?? null)}::jsonb
      where scope = ${opts.scope} and key = ${opts.key}`.execute(trx);
    return { response, replayed: false };
  });
}

async function replay<T>(trx: AnyTrx, t: RawBuilder<unknown>, opts: IdempotentOptions<T>): Promise<IdempotentResult<T>> {
  const { rows } = await sql<{ request_hash: string; response: T }>`
    select request_hash, response from ${t} where scope = ${opts.scope} and key = ${opts.key}`.execute(trx);
  const row = rows[0];
  if (!row || row.request_hash !== opts.requestHash) throw new IdempotencyKeyReusedError(opts.scope, opts.key);
  return { response: row.response, replayed: true };
}

export interface StoredIdempotentResponse<T> {
  requestHash: string;
  response: T;
}

/**
 * Read-only look-up of a committed idempotency record, outside any transaction: lets a caller
 * answer a retry (or refuse a reused key) before doing slow work — RPCs, HTTP — that must not run
 * inside `idempotent`'s transaction. A record still being written by a concurrent first call is not
 * visible yet; `idempotent` settles that race.
 * @example
 * const earlier = await findIdempotentResponse<ShareView>({ db, schema, scope, key });
 * if (earlier && earlier.requestHash === hash) return earlier.response;
 */
export async function findIdempotentResponse<T>(opts: Pick<IdempotentOptions<T>, 'db' | 'schema' | 'scope' | 'key'>): Promise<StoredIdempotentResponse<T> | null> {
  const { rows } = await sql<{ request_hash: string; response: T }>`
    select request_hash, response from ${sql.id(opts.schema)}.es_idempotency
    where scope = ${opts.scope} and key = ${opts.key}`.execute(opts.db);
  const row = rows[0];
  return row ? { requestHash: row.request_hash, response: row.response } : null;
}
