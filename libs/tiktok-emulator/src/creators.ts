/** Test creators of DESIGN §10; any other id becomes a public creator on first use. */
import type { Creator, EmulatorState, PrivacyLevel } from './state.ts';

const PUBLIC_OPTIONS: PrivacyLevel[] = ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'];
const PRIVATE_OPTIONS: PrivacyLevel[] = ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'];

export const TEST_CREATORS = ['public1', 'private1', 'banned1', 'short1', 'capped1'] as const;

function baseCreator(id: string): Creator {
  return {
    openId: id,
    username: id,
    nickname: `Creator ${id}`,
    avatarUrl: `https://emulator.invalid/avatar/${encodeURIComponent(id)}.png`,
    isPrivate: false,
    privacyLevelOptions: [...PUBLIC_OPTIONS],
    commentDisabled: false,
    duetDisabled: false,
    stitchDisabled: false,
    maxVideoPostDurationSec: 600,
    banned: false,
    postTimes: [],
  };
}

function makeCreator(state: EmulatorState, id: string): Creator {
  const c = baseCreator(id);
  switch (id) {
    case 'private1':
      return { ...c, isPrivate: true, privacyLevelOptions: [...PRIVATE_OPTIONS], duetDisabled: true, stitchDisabled: true };
    case 'banned1':
      return { ...c, banned: true };
    case 'short1':
      return { ...c, maxVideoPostDurationSec: 60 };
    case 'capped1':
      // "Daily cap already reached": other apps spent the budget just now.
      return { ...c, postTimes: Array.from({ length: state.settings.dailyPostLimit }, () => state.now()) };
    default:
      return c;
  }
}

/** The creator with this open_id, created on first use. */
export function getCreator(state: EmulatorState, openId: string): Creator {
  let creator = state.creators.get(openId);
  if (!creator) {
    creator = makeCreator(state, openId);
    state.creators.set(openId, creator);
  }
  return creator;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Direct Posts of this creator in the rolling 24 h window. */
export function postsInLastDay(state: EmulatorState, creator: Creator): number {
  const since = state.now() - DAY_MS;
  creator.postTimes = creator.postTimes.filter((t) => t > since);
  return creator.postTimes.length;
}

/** Pending drafts: inbox publishes of the last 24 h the user has not posted (nor failed). */
export function pendingDrafts(state: EmulatorState, openId: string): number {
  const since = state.now() - DAY_MS;
  let n = 0;
  for (const p of state.publishes.values()) {
    if (p.openId === openId && p.mode === 'inbox' && p.createdAt > since && p.status !== 'PUBLISH_COMPLETE' && p.status !== 'FAILED') n++;
  }
  return n;
}

/** Unaudited apps: would this creator be one too many among the creators posting in 24 h? */
export function overActiveCreatorCap(state: EmulatorState, openId: string): boolean {
  if (state.settings.appAudited) return false;
  const since = state.now() - DAY_MS;
  for (const [id, at] of state.activeCreators) if (at <= since) state.activeCreators.delete(id);
  return !state.activeCreators.has(openId) && state.activeCreators.size >= state.settings.unauditedCreatorLimit;
}
