/**
 * The web share UI: static files served from src/ui (no build step, no CDN). Public: the page
 * itself holds no data; it calls the API with the bearer token the user brought (?token=…).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../http/route.ts';

const UI_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'composer.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
} as const;
type UiFile = keyof typeof UI_FILES;

function load(name: UiFile): string {
  return readFileSync(new URL(`../ui/${name}`, import.meta.url), 'utf8');
}

export function uiRoutes(): RouteSpec[] {
  // Read once at startup: the files are part of the release, and a missing one should fail fast.
  const files = Object.fromEntries((Object.keys(UI_FILES) as UiFile[]).map((n) => [n, load(n)])) as Record<UiFile, string>;
  const headers = (name: UiFile) => ({ 'content-type': UI_FILES[name], 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  return [
    defineRoute({
      operationId: 'shareUi', method: 'get', path: '/', tag: 'ui', access: 'public',
      summary: 'The web share UI (connect TikTok, pick a video, compose and publish).',
      responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
      handle: (_i, c) => c.body(files['index.html'], 200, headers('index.html')),
    }),
    defineRoute({
      operationId: 'shareUiAsset', method: 'get', path: '/ui/:file', tag: 'ui', access: 'public',
      summary: 'Static assets of the share UI.',
      params: z.object({ file: z.enum(['app.js', 'composer.js', 'app.css']) }),
      responses: { 200: { description: 'asset', contentType: 'text/javascript' } },
      handle: ({ params }, c) => c.body(files[params.file], 200, headers(params.file)),
    }),
  ];
}
