/** Public face of @tiktok-share/platform (test helpers: `@tiktok-share/platform/testing.ts`). */
export * from './config.ts';
export * from './db.ts';
export * from './errors.ts';
export * from './logger.ts';
export * from './metrics.ts';
export * from './exposition.ts';
