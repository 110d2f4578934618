/**
 * One way to open the database: real PostgreSQL through `pg` when a URL is given, else embedded
 * PGlite (WASM Postgres) under `dataDir`. int8 comes back as a decimal string from both.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';

export interface Database {
  db: Kysely<any>;
  kind: 'pg' | 'pglite';
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** postgres:// URL; when absent PGlite is used. */
  url?: string | undefined;
  /** PGlite data directory; in-memory when absent. */
  dataDir?: string | undefined;
  /** pg pool size. Default 10. */
  max?: number;
}

/**
 * @example
 * const { db, close } = await openDatabase({ url: process.env.DATABASE_URL });
 */
export async function openDatabase(opts: OpenDbOptions): Promise<Database> {
  if (opts.url) {
    const pg = await import('pg');
    // int8 as string, the same as PGlite below; numeric too (no float rounding).
    pg.default.types.setTypeParser(20, (v: string) => v);
    pg.default.types.setTypeParser(1700, (v: string) => v);
    const pool = new pg.default.Pool({ connectionString: opts.url, max: opts.max ?? 10 });
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'pg', close: () => db.destroy() };
  }
  const { PGlite, types } = await import('@electric-sql/pglite');
  const { PGliteDialect } = await import('kysely-pglite-dialect');
  const client = new PGlite(opts.dataDir ?? 'memory://', {
    parsers: { [types.INT8]: (v: string) => v, [types.NUMERIC]: (v: string) => v },
  });
  await client.waitReady;
  const db = new Kysely<any>({ dialect: new PGliteDialect(client) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}

/** Create a schema if missing. */
export async function ensureSchema(db: Kysely<any>, schema: string): Promise<void> {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
}
