/** The event store facade of one service schema. */
import { appendEvents } from './append.ts';
import { migrateEventStore } from './migrate.ts';
import { readAllEvents, readStreamEvents } from './read.ts';
import type { AnyDb, EventStore, InlineProjection } from './types.ts';

export interface CreateEventStoreOptions {
  /** Kysely on pg or PGlite (libs/platform openDatabase). */
  db: AnyDb;
  /** The service's schema; every table is qualified with it. */
  schema: string;
  /** Run in the append transaction; their tables must be migrated by the service. */
  inlineProjections?: readonly InlineProjection[];
}

/**
 * @example
 * const store = createEventStore({ db, schema: 'publisher', inlineProjections: [shareView] });
 * await store.migrate();
 * const { nextVersion } = await store.append('share-1', [{ type: 'ShareRequested', data, public: true }], { expectedVersion: 'no_stream' });
 */
export function createEventStore(opts: CreateEventStoreOptions): EventStore {
  const { db, schema } = opts;
  const inlineProjections = opts.inlineProjections ?? [];
  const ctx = { db, schema, inlineProjections };
  return {
    db,
    schema,
    inlineProjections,
    migrate: () => migrateEventStore(db, schema),
    append: (streamId, events, o) => appendEvents(ctx, streamId, events, o),
    readStream: (streamId, o) => readStreamEvents(o?.trx ?? db, schema, streamId, o?.fromVersion),
    async aggregate(streamId, evolve, initialState, o) {
      const events = await readStreamEvents(o?.trx ?? db, schema, streamId);
      const state = events.reduce(evolve, initialState);
      return { state, version: events.at(-1)?.streamVersion ?? 0 };
    },
    readAll: (after, limit, o) => readAllEvents(db, schema, after, limit, o),
    transaction: (fn) => db.transaction().execute(fn),
  };
}
