/** A problem+json answer of the gateway, as a typed error. `code` is stable; switch on it. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Record<string, unknown>;

  constructor(status: number, problem: Record<string, unknown>) {
    super(typeof problem['detail'] === 'string' ? problem['detail'] : `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = typeof problem['code'] === 'string' ? problem['code'] : 'http_error';
    this.problem = problem;
  }

  /** ISO time to retry after (429 `daily_limit_reached`, `pending_drafts_limit_reached`). */
  get retryAt(): string | undefined {
    return typeof this.problem['retryAt'] === 'string' ? this.problem['retryAt'] : undefined;
  }
}
