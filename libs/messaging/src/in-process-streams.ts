/**
 * In-memory JetStream stand-in: append-only logs per stream with msgId dedupe, and a wake-up
 * signal for consumers waiting on new messages. Nothing is persisted (embedded mode keeps its
 * truth in the event store; the outbox relay re-publishes after a restart).
 */
import type { StreamDef } from './port.ts';
import { subjectMatches } from './subjects.ts';

import { DEFAULT_DUPLICATE_WINDOW_MS } from './defaults.ts';

export interface StoredMessage {
  seq: number;
  subject: string;
  data: Uint8Array;
  headers: Record<string, string>;
}

export interface MemStream {
  def: StreamDef;
  messages: StoredMessage[];
  lastSeq: number;
  /** msgId → time first seen (ms). */
  seen: Map<string, number>;
  /** Resolvers of consumers waiting for the next append. */
  waiters: Set<() => void>;
}

export function createMemStream(def: StreamDef): MemStream {
  return { def: { ...def }, messages: [], lastSeq: 0, seen: new Map(), waiters: new Set() };
}

/** The first stream capturing `subject`, like JetStream's subject → stream routing. */
export function routeToStream(streams: Iterable<MemStream>, subject: string): MemStream | undefined {
  for (const s of streams) if (s.def.subjects.some((p) => subjectMatches(p, subject))) return s;
  return undefined;
}

/**
 * Appends unless `msgId` was seen inside the dedupe window (then it is silently dropped, as
 * JetStream acks duplicates without storing them). Returns false for a duplicate.
 */
export function append(stream: MemStream, msg: Omit<StoredMessage, 'seq'>, msgId: string, now: number): boolean {
  const windowMs = stream.def.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
  for (const [id, at] of stream.seen) {
    if (now - at < windowMs) break; // Map keeps insertion order: the rest are newer.
    stream.seen.delete(id);
  }
  if (stream.seen.has(msgId)) return false;
  stream.seen.set(msgId, now);
  stream.lastSeq += 1;
  stream.messages.push({ ...msg, seq: stream.lastSeq });
  for (const wake of stream.waiters) wake();
  stream.waiters.clear();
  return true;
}

/** The first message with seq ≥ `fromSeq` matching `filter`. */
export function nextMatching(stream: MemStream, fromSeq: number, filter: string): StoredMessage | undefined {
  // seqs are dense and start at 1, so the array index of seq n is n - 1.
  for (let i = Math.max(0, fromSeq - 1); i < stream.messages.length; i++) {
    const m = stream.messages[i];
    if (m && subjectMatches(filter, m.subject)) return m;
  }
  return undefined;
}
