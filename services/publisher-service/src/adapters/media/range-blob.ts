/**
 * A Blob-shaped view of a remote file backed by HTTP range requests, so music-metadata's random
 * access tokenizer (parseBlob) can read the header and seek past the media payload without
 * downloading it. Reads are rounded to 64 KiB blocks and the last block is cached: the parser
 * reads many tiny tokens in a row.
 */
import { unprocessable } from '@tiktok-share/platform/errors.ts';

export type FetchLike = (url: string, init?: { headers?: Record<string, string>; method?: string; redirect?: 'manual' | 'follow' | 'error'; signal?: AbortSignal }) => Promise<Response>;

const BLOCK = 64 * 1024;

export interface RangeBlob {
  size: number;
  type: string;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** Parses `Content-Range: bytes a-b/total` → total, else null. */
export function totalFromContentRange(header: string | null): number | null {
  const m = header ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim()) : null;
  return m ? Number(m[3]) : null;
}

/**
 * Opens a remote file: one range request for its first block tells the total size.
 * @example const blob = await rangeBlob('https://cdn.example.com/v.mp4', fetch);
 */
export async function rangeBlob(url: string, fetchFn: FetchLike): Promise<RangeBlob> {
  const first = await getRange(url, fetchFn, 0, BLOCK - 1);
  const size = first.total;
  let cached = { start: 0, bytes: first.bytes };
  const read = async (start: number, end: number): Promise<Uint8Array> => {
    if (start >= cached.start && end <= cached.start + cached.bytes.length) return cached.bytes.subarray(start - cached.start, end - cached.start);
    const blockStart = start - (start % BLOCK);
    const blockEnd = Math.min(size, Math.max(end, blockStart + BLOCK));
    const got = await getRange(url, fetchFn, blockStart, blockEnd - 1);
    cached = { start: blockStart, bytes: got.bytes };
    return got.bytes.subarray(start - blockStart, end - blockStart);
  };
  return {
    size,
    type: first.type,
    slice(start = 0, end = size) {
      return {
        async arrayBuffer() {
          const bytes = end <= start ? new Uint8Array(0) : await read(start, Math.min(end, size));
          return bytes.slice().buffer;
        },
      };
    },
  };
}

async function getRange(url: string, fetchFn: FetchLike, start: number, end: number): Promise<{ total: number; bytes: Uint8Array; type: string }> {
  let res: Response;
  try {
    // No redirects: the allowlist was checked for this URL, not for wherever it might point.
    res = await fetchFn(url, { headers: { range: `bytes=${start}-${end}` }, redirect: 'manual' });
  } catch (cause) {
    throw Object.assign(unprocessable('video_unreachable', 'the video URL could not be fetched'), { cause });
  }
  if (res.status === 200 && start === 0) {
    // Server ignores ranges: we would have to download everything, which we refuse to do.
    await res.body?.cancel();
    throw unprocessable('video_unreachable', 'the video host does not support range requests');
  }
  if (res.status !== 206) {
    await res.body?.cancel();
    throw unprocessable('video_unreachable', `the video URL answered ${res.status}`);
  }
  const total = totalFromContentRange(res.headers.get('content-range'));
  if (total === null) throw unprocessable('video_unreachable', 'the video host sent no Content-Range');
  return { total, bytes: new Uint8Array(await res.arrayBuffer()), type: res.headers.get('content-type') ?? '' };
}
