/** The quota service's slice of the configuration (DESIGN §4) plus its internal timings. */
import type { AppConfig } from '@tiktok-share/platform/config.ts';
import { DEFAULT_POLICY, type QuotaPolicy } from './domain/creator-quota.ts';

export interface QuotaConfig {
  policy: QuotaPolicy;
  /** How often the expiry sweeper looks for reservations unused for 10 minutes. */
  sweepIntervalMs: number;
  /** Max attempts of an optimistic append that lost a race to another instance. */
  maxConcurrencyRetries: number;
}

export const DEFAULT_QUOTA_CONFIG: QuotaConfig = {
  policy: DEFAULT_POLICY,
  sweepIntervalMs: 5000,
  maxConcurrencyRetries: 100,
};

/** TIKTOK_DAILY_POST_LIMIT and TIKTOK_APP_AUDITED from the parsed app config. */
export function quotaConfigFrom(config: AppConfig): QuotaConfig {
  return {
    ...DEFAULT_QUOTA_CONFIG,
    policy: { ...DEFAULT_POLICY, dailyPostLimit: config.tiktok.dailyPostLimit, appAudited: config.tiktok.appAudited },
  };
}
