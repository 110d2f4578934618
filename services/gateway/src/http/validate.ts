/**
 * zod parsing at the edge. Failures become 400 `validation_failed` with `errors: [{ path, message }]`,
 * unless a failing refinement names its own stable code in `params.code` (e.g. `invalid_return_to`),
 * which then becomes the problem's `code`.
 */
import type { z } from 'zod';
import { AppError } from '@tiktok-share/platform/errors.ts';

/** Parse `value` with `schema`; paths are prefixed with where the value came from (`body.title`). */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: 'params' | 'query' | 'body' | 'headers'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  const coded = result.error.issues.map(issueCode).find((code) => code !== undefined);
  if (coded) return raise(new AppError(coded, 400, errors[0]?.message ?? 'The request is not valid', { errors }));
  return raise(new AppError('validation_failed', 400, 'The request is not valid', { errors }));
}

function issueCode(issue: z.core.$ZodIssue): string | undefined {
  const params = 'params' in issue ? (issue.params as Record<string, unknown> | undefined) : undefined;
  const code = params?.['code'];
  return typeof code === 'string' && /^[a-z][a-z0-9_]*$/.test(code) ? code : undefined;
}

function raise(err: AppError): never {
  throw err;
}
