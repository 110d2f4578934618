/** @tiktok-share/eventstore — the public face of the event store lib. */
export * from './types.ts';
export { createEventStore, type CreateEventStoreOptions } from './store.ts';
export { migrateEventStore, STREAM_VERSION_CONSTRAINT } from './migrate.ts';
export { readAllEvents, readStreamEvents, streamVersion, checkpointOf } from './read.ts';
export { loadCheckpoint, saveCheckpoint } from './checkpoints.ts';
export { startOutboxRelay, toEnvelope, encodeEnvelope, type EventEnvelope, type OutboxRelay, type OutboxRelayOptions, type OutboxLag } from './relay.ts';
export { outboxBacklog } from './outbox-lag.ts';
export { startProjection, rebuildProjection, projectionCheckpoint, type ProjectionRunner, type RebuildProgress, type RebuildResult } from './projection.ts';
export { processOnce, type InboxResult } from './inbox.ts';
export { idempotent, IdempotencyKeyReusedError, type IdempotentOptions, type IdempotentResult } from './idempotency.ts';
export type { LoggerLike, PollLoop } from './loop.ts';
export { serveMetricsRpc, type ServeMetricsRpcOptions } from './metrics-rpc.ts';
export { adminEvents, adminAudit, health, serveAdminRpcs, createRebuildRunner, type AdminEventsInput, type AdminEventsPage, type ServeAdminRpcsOptions, type RebuildRunner, type RebuildRunnerOptions, type RebuildLogger, type RebuildStatus, type RebuildState } from './admin.ts';
