/**
 * Media probe: where the video may come from, how big it is, its container and duration — all
 * before TikTok is called (DESIGN §5). Local paths are resolved with realpath inside MEDIA_ROOT
 * (so `..` and symlinks cannot escape); URLs must be https on an allowlisted host and are probed
 * through HTTP range requests (music-metadata seeks over the `mdat` box, so a 4 GB video costs a
 * few small requests, never a download).
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { parseBlob, parseFile, type IAudioMetadata } from 'music-metadata';
import { AppError, unprocessable } from '@tiktok-share/platform/errors.ts';
import { MAX_VIDEO_SIZE } from '@tiktok-share/tiktok/chunk-plan.ts';
import { rangeBlob, type FetchLike } from './range-blob.ts';

export type Container = 'mp4' | 'mov' | 'webm';

export type ResolvedSource = { kind: 'path'; absolutePath: string } | { kind: 'url'; url: string };

export interface ProbedVideo {
  source: ResolvedSource;
  size: number;
  container: Container;
  durationSec: number;
}

export interface MediaConfig {
  /** MEDIA_ROOT: local paths resolve inside it, nothing outside is readable. */
  mediaRoot: string;
  /** MEDIA_URL_ALLOWLIST: hosts URL sources may be fetched from. */
  urlAllowlist: string[];
  /** Injected for tests (self-signed https); defaults to the global fetch. */
  fetch?: FetchLike;
}

const notAllowed = (why: string) => unprocessable('video_source_not_allowed', why);
const unsupported = (why: string, extra: Record<string, unknown> = {}) => unprocessable('unsupported_video', why, extra);

/**
 * Resolves `path` inside `mediaRoot` following symlinks; refuses anything that lands outside.
 * @example await resolveMediaPath('/srv/media', 'campaigns/spring.mp4') // → '/srv/media/campaigns/spring.mp4'
 */
export async function resolveMediaPath(mediaRoot: string, path: string): Promise<string> {
  if (path.includes('\0')) throw notAllowed('the path is not valid');
  const root = await realpath(mediaRoot);
  let target: string;
  try {
    target = await realpath(resolve(root, path));
  } catch {
    // Say "not allowed" for anything we cannot resolve inside the root, so probing outside it
    // reveals nothing about which files exist; inside the root a missing file is `video_not_found`.
    const lexical = resolve(root, path);
    if (!isInside(root, lexical)) throw notAllowed('the path is outside MEDIA_ROOT');
    throw unprocessable('video_not_found', 'no such video in MEDIA_ROOT');
  }
  if (!isInside(root, target)) throw notAllowed('the path is outside MEDIA_ROOT');
  return target;
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/** https only, host on the allowlist (exact host match, case-insensitive; no credentials in the URL). */
export function checkVideoUrl(raw: string, allowlist: string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw notAllowed('the video URL is not valid');
  }
  if (url.protocol !== 'https:') throw notAllowed('video URLs must use https');
  if (url.username || url.password) throw notAllowed('video URLs must not carry credentials');
  const hosts = allowlist.map((h) => h.trim().toLowerCase()).filter(Boolean);
  if (!hosts.includes(url.hostname.toLowerCase())) throw notAllowed(`host ${url.hostname} is not in MEDIA_URL_ALLOWLIST`);
  return url;
}

/**
 * Probes a share's video source: containment/allowlist, size ≤ 4 GB, container mp4/mov/webm, duration.
 * @example const v = await probeVideo({ path: 'a.mp4' }, { mediaRoot: '/srv/media', urlAllowlist: [] });
 */
export async function probeVideo(source: { path: string } | { url: string }, config: MediaConfig): Promise<ProbedVideo> {
  if ('path' in source) {
    // Containment and size are checked on every request (the file may have moved or changed);
    // only the container parse is remembered, for this exact file version.
    const absolutePath = await resolveMediaPath(config.mediaRoot, source.path);
    const info = await stat(absolutePath, { bigint: true });
    if (!info.isFile()) throw unsupported('the video is not a regular file');
    const size = Number(info.size);
    checkSize(size);
    const version = `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}|${absolutePath}`;
    let described = parsedFiles.get(version);
    if (!described) {
      described = describe(await parseOrReject(() => parseFile(absolutePath, { skipCovers: true })));
      remember(version, described);
    }
    return { source: { kind: 'path', absolutePath }, size, ...described };
  }
  const url = checkVideoUrl(source.url, config.urlAllowlist);
  const blob = await rangeBlob(url.toString(), config.fetch ?? fetch);
  checkSize(blob.size);
  const meta = await parseOrReject(() => parseBlob(blob as unknown as Blob, { skipCovers: true }));
  return { source: { kind: 'url', url: url.toString() }, size: blob.size, ...describe(meta) };
}

/**
 * Container and duration of local files already parsed, keyed by the file's identity and version
 * (device, inode, size, mtime and ctime in ns, resolved path): any write or replacement of the file
 * changes the key, so a stale answer cannot be served. Successful parses only; bounded (oldest out).
 */
const parsedFiles = new Map<string, { container: Container; durationSec: number }>();
const PARSED_FILES_MAX = 1_000;

function remember(version: string, described: { container: Container; durationSec: number }): void {
  if (parsedFiles.size >= PARSED_FILES_MAX) parsedFiles.delete(parsedFiles.keys().next().value!);
  parsedFiles.set(version, described);
}

function checkSize(size: number): void {
  if (size <= 0) throw unsupported('the video is empty');
  if (size > MAX_VIDEO_SIZE) throw unsupported(`the video is larger than 4 GB (${size} bytes)`, { maxBytes: MAX_VIDEO_SIZE });
}

async function parseOrReject(parse: () => Promise<IAudioMetadata>): Promise<IAudioMetadata> {
  try {
    return await parse();
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError('unsupported_video', 422, 'the video container could not be read (MP4, MOV or WebM only)', {}, { cause });
  }
}

function describe(meta: IAudioMetadata): { container: Container; durationSec: number } {
  const container = containerOf(meta.format.container);
  if (!container) throw unsupported(`unsupported container ${meta.format.container ?? 'unknown'} (MP4, MOV or WebM only)`);
  const durationSec = meta.format.duration;
  if (durationSec === undefined || !Number.isFinite(durationSec) || durationSec <= 0) throw unsupported('the video duration could not be read');
  return { container, durationSec };
}

/** music-metadata reports ISO BMFF brands (`isom/mp41`, `qt`…) and `EBML/webm`. */
export function containerOf(raw: string | undefined): Container | null {
  if (!raw) return null;
  const brands = raw.toLowerCase().split('/').map((b) => b.trim());
  if (brands[0] === 'ebml') return brands[1] === 'webm' ? 'webm' : null;
  if (brands.includes('qt')) return 'mov';
  const mp4Brands = ['isom', 'iso2', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'mp4v', 'dash', 'm4v', 'msnv', 'mmp4'];
  return brands.some((b) => mp4Brands.includes(b)) ? 'mp4' : null;
}
