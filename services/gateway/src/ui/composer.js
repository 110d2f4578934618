// Pure rules of the share composer, following TikTok's Content Sharing Guidelines
// (reference/tiktok-api.md §6) line by line. No DOM here: app.js renders what this decides.

export const TITLE_MAX = 2200; // counted in UTF-16 code units = String#length
export const PRIVACY_LABELS = {
  PUBLIC_TO_EVERYONE: 'Everyone',
  MUTUAL_FOLLOW_FRIENDS: 'Friends',
  FOLLOWER_OF_CREATOR: 'Followers',
  SELF_ONLY: 'Only me',
};
export const HINT_COMMERCIAL_NOTHING = 'You need to indicate if your content promotes yourself, a third party, or both.';
export const HINT_BRANDED_PRIVATE = 'Branded content visibility cannot be set to private.';
export const MUSIC_URL = 'https://www.tiktok.com/legal/page/global/music-usage-confirmation/en';
export const BRANDED_URL = 'https://www.tiktok.com/legal/page/global/bc-policy/en';

/**
 * @param {{ creator: { canPost: boolean, maxVideoPostDurationSec: number } | null,
 *   videoDurationSec: number | null, mode: 'direct' | 'draft', title: string, privacy: string,
 *   commercial: boolean, yourBrand: boolean, branded: boolean, busy: boolean, shared?: boolean }} s
 */
export const HINT_ALREADY_SHARED = 'Already shared. Open the composer again to share another video.';

export function decide(s) {
  const direct = s.mode === 'direct';
  const reasons = [];
  if (!s.creator) reasons.push('Loading the creator…');
  else if (!s.creator.canPost) reasons.push('This TikTok account cannot post right now.');
  if (s.videoDurationSec == null) reasons.push('Pick a video.');
  else if (s.creator && s.videoDurationSec > s.creator.maxVideoPostDurationSec) reasons.push(`This video is longer than the ${s.creator.maxVideoPostDurationSec} s this creator may post.`);
  if (direct) {
    if (s.title.length > TITLE_MAX) reasons.push(`The title is longer than ${TITLE_MAX} characters.`);
    if (!s.privacy) reasons.push('Choose who can view this video.');
    if (s.commercial && !s.yourBrand && !s.branded) reasons.push(HINT_COMMERCIAL_NOTHING);
    if (s.branded && s.privacy === 'SELF_ONLY') reasons.push(HINT_BRANDED_PRIVATE);
  }
  if (s.busy) reasons.push('Publishing…');
  // One composition, one post: sharing again takes a fresh composer (and a fresh Idempotency-Key).
  if (s.shared) reasons.push(HINT_ALREADY_SHARED);
  const brandedChosen = direct && s.commercial && s.branded;
  return {
    publishEnabled: reasons.length === 0,
    // The hover text: the guideline's exact sentence when the commercial toggle is on with nothing chosen.
    publishHint: reasons[0] ?? '',
    // Branded content cannot be private: disable one side depending on what was chosen first.
    onlyMeDisabled: brandedChosen,
    brandedDisabled: direct && s.privacy === 'SELF_ONLY',
    labelPrompt: !s.commercial ? null
      : s.branded ? 'Your photo/video will be labeled as "Paid partnership".'
      : s.yourBrand ? 'Your photo/video will be labeled as "Promotional content".'
      : null,
    consent: brandedChosen ? 'branded' : 'music',
    titleCount: `${s.title.length} / ${TITLE_MAX}`,
    titleOver: s.title.length > TITLE_MAX,
  };
}

/** The request body for POST /tiktok/shares (drafts send only what TikTok uses). */
export function shareBody(s) {
  const body = { accountId: s.accountId, mode: s.mode, video: { path: s.videoPath }, isAigc: s.isAigc };
  if (s.mode === 'draft') return { ...body, title: s.title };
  return {
    ...body,
    title: s.title,
    privacyLevel: s.privacy,
    disableComment: !s.allowComment,
    disableDuet: !s.allowDuet,
    disableStitch: !s.allowStitch,
    brandContent: s.commercial && s.branded,
    brandOrganic: s.commercial && s.yourBrand,
  };
}

/** Human text for API problems the user can act on. */
export function problemText(problem) {
  switch (problem.code) {
    case 'unaudited_app_private_only':
    case 'unaudited_app_creator_cap':
      return 'This app is not audited by TikTok yet, so it can only post to private TikTok accounts with the visibility "Only me", for at most 5 creators a day. Make your account private in the TikTok app and choose "Only me".';
    case 'daily_limit_reached':
      return `This account reached TikTok's daily post limit. Try again after ${new Date(problem.retryAt).toLocaleString()}.`;
    case 'pending_drafts_limit_reached':
      return 'Too many drafts are waiting in this TikTok inbox. Post or delete some in the TikTok app, then try again.';
    case 'reauthorization_required':
      return 'TikTok needs you to reconnect this account.';
    default:
      return problem.detail || 'Something went wrong.';
  }
}
