/**
 * OpenAPI 3.1 generated from the route table with zod 4's `z.toJSONSchema`: requests in the
 * schemas' `input` form (what a client sends, before defaults and coercion), responses in the
 * `output` form (what the gateway returns).
 */
import { z } from 'zod';
import type { RouteSpec, ResponseSpec } from './route.ts';

type Json = Record<string, unknown>;

/** `/shares/:shareId` → `/shares/{shareId}`. */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query' | 'header'): Json[] {
  if (!schema) return [];
  const s = jsonSchema(schema, 'input');
  const props = (s['properties'] ?? {}) as Record<string, Json>;
  const required = new Set((s['required'] ?? []) as string[]);
  return Object.entries(props).map(([name, prop]) => ({
    name, in: where, required: where === 'path' || required.has(name), schema: prop,
    ...(typeof prop['description'] === 'string' ? { description: prop['description'] } : {}),
  }));
}

function response(spec: ResponseSpec): Json {
  if (!spec.schema && !spec.contentType) return { description: spec.description };
  const type = spec.contentType ?? 'application/json';
  return { description: spec.description, content: { [type]: spec.schema ? { schema: jsonSchema(spec.schema, 'output') } : {} } };
}

function operation(route: RouteSpec): Json {
  const op: Json = {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    'x-access': route.access,
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query'), ...parameters(route.headers, 'header')],
    responses: Object.fromEntries(Object.entries(route.responses).map(([status, spec]) => [status, response(spec)])),
  };
  if (route.access !== 'public') op['security'] = [{ bearer: [] }];
  if (route.body) op['requestBody'] = { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } };
  return op;
}

/**
 * @example
 * app.get('/openapi.json', (c) => c.json(buildOpenApi(routes, { title: 'Share to TikTok', version: '1' })));
 */
export function buildOpenApi(routes: readonly RouteSpec[], info: { title: string; version: string; serverUrl?: string }): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const p = toOpenApiPath(route.path);
    paths[p] = { ...(paths[p] ?? {}), [route.method]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
