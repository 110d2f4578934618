/**
 * Test helpers: every test gets its own PostgreSQL schema(s) and its own NATS subject prefix,
 * so suites share one server without seeing each other.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { openDatabase, type Database } from './db.ts';

export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** A short unique token for schema names and subject prefixes: `t<hex>`. */
export function uniqueId(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/**
 * A real PostgreSQL connection plus a unique schema-name factory. `cleanup` drops every schema
 * made through `schema()`.
 * @example
 * const t = await testDatabase(); const schema = t.schema('publisher'); ... await t.cleanup();
 */
export async function testDatabase(): Promise<Database & { schema(name: string): string; cleanup(): Promise<void> }> {
  const database = await openDatabase({ url: TEST_DATABASE_URL, max: 20 });
  const made: string[] = [];
  const id = uniqueId();
  return {
    ...database,
    schema(name: string) {
      const s = `${id}_${name.replace(/[^a-z0-9_]/gi, '_')}`.toLowerCase();
      made.push(s);
      return s;
    },
    async cleanup() {
      for (const s of made) await sql`drop schema if exists ${sql.id(s)} cascade`.execute(database.db);
      await database.close();
    },
  };
}
