/**
 * Sample videos for the demo composer: a listing of MEDIA_ROOT's top-level video files (with the
 * duration, so the UI can check it against the creator's maximum before anything is sent) and an
 * authenticated stream of one file for the preview. Names are plain file names: no separators,
 * so nothing outside MEDIA_ROOT is reachable.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { parseFile } from 'music-metadata';
import { z } from 'zod';
import { notFound } from '@tiktok-share/platform/errors.ts';
import { defineRoute, standardProblems, type RouteSpec } from '../http/route.ts';
import type { RouteDeps } from './deps.ts';

const CONTENT_TYPES: Record<string, string> = { '.mp4': 'video/mp4', '.mov': 'video/quicktime', '.webm': 'video/webm' };
const mediaNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/, 'a plain file name');

export const mediaItemSchema = z.object({
  path: z.string().describe('use as video.path in POST /tiktok/shares'),
  size: z.number().int().nonnegative(),
  contentType: z.string(),
  durationSec: z.number().nullable(),
});
export const mediaListSchema = z.object({ items: z.array(mediaItemSchema) });

async function listMedia(root: string | undefined): Promise<z.infer<typeof mediaListSchema>> {
  if (!root) return { items: [] };
  const names = (await readdir(root).catch(() => [] as string[])).filter((n) => CONTENT_TYPES[extname(n).toLowerCase()] && mediaNameSchema.safeParse(n).success).sort();
  const items = await Promise.all(names.map(async (name) => {
    const file = join(root, name);
    const info = await stat(file);
    const duration = await parseFile(file, { duration: true, skipCovers: true }).then((m) => m.format.duration ?? null, () => null);
    return { path: name, size: info.size, contentType: CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream', durationSec: duration };
  }));
  return { items: items.filter((i) => i.size > 0) };
}

export function mediaRoutes(deps: RouteDeps): RouteSpec[] {
  return [
    defineRoute({
      operationId: 'listMedia', method: 'get', path: '/api/v1/media', tag: 'media', access: 'user',
      summary: 'Sample videos available under MEDIA_ROOT (demo / embedded mode), with their duration.',
      responses: { ...standardProblems('user'), 200: { description: 'media files', schema: mediaListSchema } },
      async handle(_input, c) {
        return c.json(await listMedia(deps.config.mediaRoot));
      },
    }),
    defineRoute({
      operationId: 'getMedia', method: 'get', path: '/api/v1/media/:name', tag: 'media', access: 'user',
      summary: 'The bytes of one sample video (for the composer preview).',
      params: z.object({ name: mediaNameSchema }),
      responses: { ...standardProblems('user'), 200: { description: 'the video', contentType: 'video/*' }, 404: { description: 'not_found', contentType: 'application/problem+json' } },
      async handle({ params }, c) {
        const root = deps.config.mediaRoot;
        const type = CONTENT_TYPES[extname(params.name).toLowerCase()];
        if (!root || !type) throw notFound();
        const file = join(root, params.name);
        const info = await stat(file).catch(() => null);
        if (!info?.isFile()) throw notFound();
        const body = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
        return c.body(body, 200, { 'content-type': type, 'content-length': String(info.size) });
      },
    }),
  ];
}
