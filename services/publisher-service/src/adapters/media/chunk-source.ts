/**
 * Byte ranges of the video, streamed — never the whole video in memory. Local files are read with
 * `fs.createReadStream({ start, end })`; URL sources with an HTTP range request per chunk. Each
 * call opens a fresh stream, so a retried chunk re-reads its bytes from the source.
 */
import { createReadStream } from 'node:fs';
import type { FetchLike } from './range-blob.ts';
import type { ResolvedSource } from './probe.ts';

export interface ChunkSource {
  /** Bytes `start..end` (inclusive) as a stream of buffers. */
  open(start: number, end: number): Promise<AsyncIterable<Uint8Array>>;
}

/** Read buffer size for local files: 1 MiB keeps syscalls few and memory flat. */
const FILE_HIGH_WATER_MARK = 1 << 20;

/**
 * @example const src = chunkSourceFor({ kind: 'path', absolutePath: '/srv/media/a.mp4' }); for await (const b of await src.open(0, 9)) …
 */
export function chunkSourceFor(source: ResolvedSource, fetchFn: FetchLike = fetch): ChunkSource {
  if (source.kind === 'path') {
    return { open: async (start, end) => createReadStream(source.absolutePath, { start, end, highWaterMark: FILE_HIGH_WATER_MARK }) };
  }
  return {
    async open(start, end) {
      const res = await fetchFn(source.url, { headers: { range: `bytes=${start}-${end}` }, redirect: 'manual' });
      if (res.status !== 206 || !res.body) {
        await res.body?.cancel();
        throw new Error(`video source answered ${res.status} for a range request`);
      }
      return res.body as unknown as AsyncIterable<Uint8Array>;
    },
  };
}
