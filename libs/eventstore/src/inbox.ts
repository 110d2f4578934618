/**
 * Exactly-once handling of incoming messages per consumer. The inbox row and the handler's writes
 * commit in one transaction, so a redelivery either finds the row (skip) or the first attempt rolled
 * back entirely (run again). Two concurrent deliveries of one message: the second insert waits on
 * the first's uncommitted row, then conflicts (duplicate) or, if the first rolled back, proceeds.
 */
import { sql } from 'kysely';
import type { AnyDb, AnyTrx } from './types.ts';

export type InboxResult<T> = { duplicate: true } | { duplicate: false; result: T };

/**
 * @example
 * const r = await processOnce(db, 'quota', 'quota--on-share-requested', msg.headers['Nats-Msg-Id'], (trx) => reserve(trx, cmd));
 * msg.ack(); // also when r.duplicate
 */
export async function processOnce<T>(db: AnyDb, schema: string, consumer: string, messageId: string, fn: (trx: AnyTrx) => Promise<T>): Promise<InboxResult<T>> {
  return db.transaction().execute(async (trx): Promise<InboxResult<T>> => {
    const { rows } = await sql`
      insert into ${sql.id(schema)}.es_inbox (consumer, message_id) values (${consumer}, ${messageId})
      on conflict do nothing returning 1 as inserted`.execute(trx);
    if (rows.length === 0) return { duplicate: true };
    return { duplicate: false, result: await fn(trx) };
  });
}
