/**
 * The one chunk planner for TikTok FILE_UPLOAD (media transfer guide, reference §3.2).
 *
 * TikTok's rules, read with DECIMAL megabytes so we are safe whichever unit TikTok means:
 * - every chunk but the last is `chunkSize` bytes, 5,000,000 ≤ chunkSize ≤ 64,000,000;
 * - `totalChunks = floor(size / chunkSize)` — the last chunk absorbs the remainder and may grow
 *   up to 128,000,000 bytes (it is always < 2 × chunkSize here, so ≤ 127,999,999);
 * - files under 5,000,000 bytes go whole (`chunkSize = size`, one chunk);
 * - 1 ≤ totalChunks ≤ 1000; a single-chunk plan must have `chunkSize = size` (peers broke on
 *   "total 1 but chunk_size ≠ video_size"), so it is only allowed up to 64,000,000 bytes.
 */

export const MIN_CHUNK_SIZE = 5_000_000;
export const MAX_CHUNK_SIZE = 64_000_000;
export const MAX_FINAL_CHUNK_SIZE = 128_000_000;
export const MAX_CHUNKS = 1000;
/** TikTok's video size limit (4 GB, read as GiB: the larger reading, we refuse above it). */
export const MAX_VIDEO_SIZE = 4 * 1024 ** 3;

export type ChunkRange = { index: number; start: number; end: number; length: number };
export type ChunkPlan = { videoSize: number; chunkSize: number; totalChunks: number; chunks: ChunkRange[] };

/** Thrown for sizes TikTok cannot take at all; `code` is stable. */
export class ChunkPlanError extends Error {
  readonly code = 'unsupported_video_size';
  constructor(message: string) {
    super(message);
    this.name = 'ChunkPlanError';
  }
}

/**
 * Plans the chunks of a `size`-byte upload.
 * @example
 * planChunks(50_000_123) // → { chunkSize: 10_000_000, totalChunks: 5, chunks: [..., { index: 4, start: 40_000_000, end: 50_000_122, length: 10_000_123 }] }
 */
export function planChunks(size: number, preferredChunk = 10_000_000): ChunkPlan {
  if (!Number.isSafeInteger(size) || size <= 0) throw new ChunkPlanError(`video size must be a positive integer, got ${size}`);
  if (size > MAX_VIDEO_SIZE) throw new ChunkPlanError(`video size ${size} exceeds ${MAX_VIDEO_SIZE} bytes`);
  const chunkSize = pickChunkSize(size, preferredChunk);
  const totalChunks = Math.floor(size / chunkSize);
  return { videoSize: size, chunkSize, totalChunks, chunks: rangesOf(size, chunkSize, totalChunks) };
}

function pickChunkSize(size: number, preferredChunk: number): number {
  if (size < MIN_CHUNK_SIZE) return size;
  const preferred = Math.min(MAX_CHUNK_SIZE, Math.max(MIN_CHUNK_SIZE, Math.floor(preferredChunk)));
  // Enough chunks to stay ≤ 1000 (only matters for very small preferred sizes).
  const chunk = Math.max(preferred, Math.ceil(size / MAX_CHUNKS));
  if (Math.floor(size / chunk) >= 2) return chunk;
  // One chunk: it must be the whole file, which is legal only up to the chunk maximum.
  if (size <= MAX_CHUNK_SIZE) return size;
  // 64 MB < size < 2 × chunk: two halves, each between 32 MB and 64 MB.
  return Math.floor(size / 2);
}

function rangesOf(size: number, chunkSize: number, totalChunks: number): ChunkRange[] {
  const chunks: ChunkRange[] = [];
  for (let index = 0; index < totalChunks; index++) {
    const start = index * chunkSize;
    const end = index === totalChunks - 1 ? size - 1 : start + chunkSize - 1;
    chunks.push({ index, start, end, length: end - start + 1 });
  }
  return chunks;
}
