/**
 * One route table drives both registration (register.ts) and documentation (openapi.ts), so a
 * route cannot exist undocumented: the only way to add an endpoint is to add a `RouteSpec`.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import type { Principal } from './auth.ts';

/** `public`: no bearer (callback, webhooks, health); `user`: any valid JWT; `admin`: role admin. */
export type Access = 'public' | 'user' | 'admin';
export type Method = 'get' | 'post' | 'delete';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Default `application/json` when a schema is given. */
  contentType?: string;
}

export interface RouteInput<P, Q, B, H> {
  params: P;
  query: Q;
  body: B;
  headers: H;
  /** Present on `user` and `admin` routes. */
  principal: Principal | null;
  requestId: string;
}

export interface RouteSpec<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, H extends z.ZodType = z.ZodType> {
  operationId: string;
  method: Method;
  /** Hono syntax, `:name` for parameters; documented as `{name}`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  headers?: H;
  /** `raw`: the handler reads the bytes itself (webhook signatures); `body` is then documentation only. */
  bodyMode?: 'json' | 'raw';
  /** Max request body in bytes for this route (default 64 KiB, see register.ts). */
  bodyLimit?: number;
  responses: Record<number, ResponseSpec>;
  /** Method syntax on purpose: lets specific handlers sit in a `RouteSpec[]` (bivariant params). */
  handle(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>, z.output<H>>, c: Context): Promise<Response> | Response;
}

/** Identity helper that infers the handler's input types from the schemas. */
export function defineRoute<P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined, H extends z.ZodType = z.ZodUndefined>(
  spec: RouteSpec<P, Q, B, H>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}

/** Common problem responses by access level, so every route documents its 401/403. */
export function standardProblems(access: Access): Record<number, ResponseSpec> {
  const out: Record<number, ResponseSpec> = { 400: { description: 'validation_failed', contentType: 'application/problem+json' } };
  if (access !== 'public') out[401] = { description: 'unauthorized: missing or bad bearer token', contentType: 'application/problem+json' };
  if (access === 'admin') out[403] = { description: 'forbidden: the admin role is required', contentType: 'application/problem+json' };
  return out;
}
