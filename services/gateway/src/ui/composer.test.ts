import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module served to browsers as is (no types, no build step)
import * as composer from './composer.js';

interface Decision { publishEnabled: boolean; publishHint: string; onlyMeDisabled: boolean; brandedDisabled: boolean; labelPrompt: string | null; consent: string; titleCount: string }
const decide = composer.decide as (s: object) => Decision;
const shareBody = composer.shareBody as (s: object) => Record<string, unknown>;

const base = {
  creator: { canPost: true, maxVideoPostDurationSec: 60 }, videoDurationSec: 15, mode: 'direct', title: '', privacy: '',
  commercial: false, yourBrand: false, branded: false, busy: false,
};

describe('composer rules (Content Sharing Guidelines)', () => {
  it('publish stays disabled until a privacy level is chosen (no default)', () => {
    expect(decide(base).publishEnabled).toBe(false);
    expect(decide({ ...base, privacy: 'PUBLIC_TO_EVERYONE' }).publishEnabled).toBe(true);
  });

  it('one composition posts once: after a share is accepted publish stays disabled, saying why', () => {
    const d = decide({ ...base, privacy: 'PUBLIC_TO_EVERYONE', shared: true });
    expect(d.publishEnabled).toBe(false);
    expect(d.publishHint).toBe(composer.HINT_ALREADY_SHARED);
  });

  it('drafts need no privacy', () => {
    expect(decide({ ...base, mode: 'draft' }).publishEnabled).toBe(true);
  });

  it('blocks when the creator cannot post or the video is too long', () => {
    expect(decide({ ...base, privacy: 'SELF_ONLY', creator: { canPost: false, maxVideoPostDurationSec: 60 } }).publishEnabled).toBe(false);
    expect(decide({ ...base, privacy: 'SELF_ONLY', videoDurationSec: 61 }).publishEnabled).toBe(false);
  });

  it('counts the title in UTF-16 code units against 2200', () => {
    const emoji = '😀'.repeat(1100); // 2200 code units
    expect(decide({ ...base, title: emoji }).titleCount).toBe('2200 / 2200');
    expect(decide({ ...base, privacy: 'SELF_ONLY', title: emoji + 'x' }).publishEnabled).toBe(false);
  });

  it('commercial toggle on with nothing selected: disabled with the exact hover text', () => {
    const d = decide({ ...base, privacy: 'PUBLIC_TO_EVERYONE', commercial: true });
    expect(d.publishEnabled).toBe(false);
    expect(d.publishHint).toBe('You need to indicate if your content promotes yourself, a third party, or both.');
  });

  it('labels: Your brand → Promotional content; Branded (alone or both) → Paid partnership', () => {
    expect(decide({ ...base, commercial: true, yourBrand: true }).labelPrompt).toContain('"Promotional content"');
    expect(decide({ ...base, commercial: true, branded: true }).labelPrompt).toContain('"Paid partnership"');
    expect(decide({ ...base, commercial: true, yourBrand: true, branded: true }).labelPrompt).toContain('"Paid partnership"');
  });

  it('branded content and Only me exclude each other; consent variant follows branded content', () => {
    expect(decide({ ...base, privacy: 'SELF_ONLY', commercial: true }).brandedDisabled).toBe(true);
    const branded = decide({ ...base, privacy: 'PUBLIC_TO_EVERYONE', commercial: true, branded: true });
    expect(branded.onlyMeDisabled).toBe(true);
    expect(branded.consent).toBe('branded');
    expect(decide({ ...base, commercial: true, yourBrand: true }).consent).toBe('music');
  });

  it('builds a draft body without post settings and a direct body with them', () => {
    const s = { ...base, accountId: 'a1', videoPath: 'v.mp4', isAigc: true, allowComment: true, allowDuet: false, allowStitch: false };
    expect(shareBody({ ...s, mode: 'draft' })).not.toHaveProperty('privacyLevel');
    expect(shareBody({ ...s, privacy: 'SELF_ONLY', commercial: true, yourBrand: true })).toMatchObject({
      privacyLevel: 'SELF_ONLY', disableComment: false, disableDuet: true, brandOrganic: true, brandContent: false, isAigc: true,
    });
  });
});
