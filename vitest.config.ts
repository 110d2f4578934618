import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { resolveTestServices } from './test/support/test-services.ts';

/** Tiers that need PostgreSQL and NATS (see test/support/test-services.ts). */
const NEEDS_SERVICES = ['**/*.int.test.ts', 'test/e2e/**'];

export default defineConfig(async (): Promise<ViteUserConfig> => {
  const services = await resolveTestServices();
  return {
    test: {
      include: ['libs/**/*.test.ts', 'services/**/*.test.ts', 'test/**/*.test.ts'],
      exclude: ['**/node_modules/**', ...(services === 'none' ? NEEDS_SERVICES : [])],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      // Two cores: two files at a time; each integration test has its own schema and subject prefix.
      maxWorkers: 2,
      reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
    },
  };
});
