/** What every use case of the quota service needs. Built once by app.ts. */
import type { AnyDb, EventStore } from '@tiktok-share/eventstore';
import type { Logger } from 'pino';
import type { QuotaConfig } from '../config.ts';
import type { CreatorStates } from './creator-states.ts';

export interface QuotaContext {
  db: AnyDb;
  schema: string;
  store: EventStore;
  config: QuotaConfig;
  logger: Logger;
  now(): Date;
  newId(): string;
  /** Called after a commit that appended public events (wakes the outbox relay). */
  appended(): void;
  /** Creator ledger states this instance already folded: where the next read of a stream starts. */
  creatorStates: CreatorStates;
}
