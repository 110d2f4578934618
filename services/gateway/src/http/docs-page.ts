/**
 * A readable API page rendered on the server from the same route table (no CDN, no script):
 * one section per operation with its access level, parameters and responses.
 */
import type { RouteSpec } from './route.ts';
import { buildOpenApi, toOpenApiPath } from './openapi.ts';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function section(route: RouteSpec, op: Record<string, unknown>): string {
  const params = (op['parameters'] as Array<Record<string, unknown>>)
    .map((p) => `<li><code>${escapeHtml(String(p['name']))}</code> (${escapeHtml(String(p['in']))}${p['required'] ? ', required' : ''})</li>`)
    .join('');
  const body = op['requestBody'] ? `<details><summary>Request body schema</summary><pre>${escapeHtml(JSON.stringify(op['requestBody'], null, 2))}</pre></details>` : '';
  const responses = Object.entries(route.responses)
    .map(([status, r]) => `<li><b>${status}</b> ${escapeHtml(r.description)}</li>`)
    .join('');
  return `<section id="${escapeHtml(route.operationId)}">
<h3><span class="m ${route.method}">${route.method.toUpperCase()}</span> <code>${escapeHtml(toOpenApiPath(route.path))}</code></h3>
<p>${escapeHtml(route.summary)} <span class="acc">access: ${route.access}</span></p>
${route.description ? `<p>${escapeHtml(route.description)}</p>` : ''}
${params ? `<ul>${params}</ul>` : ''}${body}<ul>${responses}</ul></section>`;
}

/** The whole HTML page for `/docs`. */
export function renderDocsPage(routes: readonly RouteSpec[]): string {
  const doc = buildOpenApi(routes, { title: 'Share to TikTok API', version: '1' }) as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const sections = routes.map((r) => section(r, doc.paths[toOpenApiPath(r.path)]?.[r.method] ?? { parameters: [] })).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Share to TikTok API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}
section{border-top:1px solid #ddd;padding:.5em 0}.m{font-weight:bold;padding:0 .4em;border-radius:4px;color:#fff}
.get{background:#2a7}.post{background:#27a}.delete{background:#a33}.acc{color:#666;font-size:.9em}pre{background:#f6f6f6;padding:.5em;overflow:auto}</style>
</head><body><h1>Share to TikTok API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Errors are <code>application/problem+json</code> with a stable <code>code</code>.</p>
${sections}</body></html>`;
}
