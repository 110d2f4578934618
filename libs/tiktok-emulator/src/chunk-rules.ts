/**
 * The emulator's own reading of the chunk rules (media transfer guide, reference §3.2), kept
 * independent of libs/tiktok's planner so the planner is checked, not trusted.
 */
import type { Settings } from './options.ts';

export const MAX_VIDEO_BYTES = 4 * 1024 ** 3;

/** Null when the plan is valid, else why not. */
export function checkChunkPlan(settings: Pick<Settings, 'lenientChunkBounds'>, size: number, chunk: number, total: number): string | null {
  const maxChunk = settings.lenientChunkBounds ? 67_108_864 : 64_000_000;
  const maxFinal = settings.lenientChunkBounds ? 134_217_728 : 128_000_000;
  if (![size, chunk, total].every(Number.isSafeInteger)) return 'video_size, chunk_size and total_chunk_count must be integers';
  if (size < 1 || size > MAX_VIDEO_BYTES) return `video_size must be 1..${MAX_VIDEO_BYTES}`;
  if (size < 5_000_000 && (chunk !== size || total !== 1)) return 'videos under 5,000,000 bytes must be uploaded whole';
  if (size >= 5_000_000 && (chunk < 5_000_000 || chunk > maxChunk)) return `chunk_size must be 5,000,000..${maxChunk}`;
  if (total !== Math.floor(size / chunk)) return 'total_chunk_count must be floor(video_size / chunk_size)';
  if (total < 1 || total > 1000) return 'total_chunk_count must be 1..1000';
  if (total === 1 && chunk !== size) return 'a single chunk must be the whole video';
  if (size - chunk * (total - 1) > maxFinal) return `the final chunk must be ≤ ${maxFinal} bytes`;
  return null;
}

/** Byte length chunk `index` must have under the plan. */
export function expectedChunkLength(size: number, chunk: number, total: number, index: number): number {
  return index === total - 1 ? size - chunk * (total - 1) : chunk;
}
