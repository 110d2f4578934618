/**
 * Posting-creators aggregate (one stream, `app-posting-creators`): which creators the app has let
 * post in the last 24 h. Only consulted when the app is unaudited: TikTok then allows at most 5
 * distinct creators to Direct Post per 24 h (tiktok-api.md §2.7, §5).
 *
 * Conservative choices (documented for the team):
 * - A creator is admitted when their first Direct Post of the window is *reserved*, and stays
 *   admitted for 24 h even if that reservation is released: we cannot know whether TikTok saw the
 *   attempt, and undoing admissions would let a 6th creator in while TikTok may still count 5.
 * - Inbox drafts do not admit creators: TikTok words the cap as users that "post".
 * The stream is appended only when a creator is new to the window, so contention on it stays low.
 */
import { DAY_MS, type QuotaPolicy } from './creator-quota.ts';

export const POSTING_CREATORS_STREAM = 'app-posting-creators';

export type PostingCreatorAdmitted = { type: 'PostingCreatorAdmitted'; data: { openId: string; admittedAt: string } };
export type PostingCreatorsEvent = PostingCreatorAdmitted;

export interface PostingCreatorsState {
  /** openId → admission time (ms). */
  admitted: ReadonlyMap<string, number>;
}

export function initialPostingCreatorsState(): PostingCreatorsState {
  return { admitted: new Map() };
}

export function evolvePostingCreators(state: PostingCreatorsState, event: PostingCreatorsEvent): PostingCreatorsState {
  switch (event.type) {
    case 'PostingCreatorAdmitted': {
      const at = Date.parse(event.data.admittedAt);
      const next = new Map<string, number>();
      // Admissions older than a day no longer count; dropping them keeps the state small.
      for (const [openId, admittedAt] of state.admitted) if (admittedAt > at - DAY_MS) next.set(openId, admittedAt);
      next.set(event.data.openId, at);
      return { admitted: next };
    }
    default: {
      const never: never = event.type;
      return never;
    }
  }
}

export type Admission = { admitted: true; events: PostingCreatorsEvent[] } | { admitted: false; active: number; retryAt: number };

/** Admit `openId` as a posting creator at `at`, or say when a place frees up. */
export function admitPostingCreator(state: PostingCreatorsState, openId: string, at: Date, policy: QuotaPolicy): Admission {
  if (policy.appAudited) return { admitted: true, events: [] };
  const now = at.getTime();
  const active = [...state.admitted.entries()].filter(([, t]) => t > now - DAY_MS);
  if (active.some(([id]) => id === openId)) return { admitted: true, events: [] };
  if (active.length < policy.unauditedCreatorLimit) {
    return { admitted: true, events: [{ type: 'PostingCreatorAdmitted', data: { openId, admittedAt: at.toISOString() } }] };
  }
  const times = active.map(([, t]) => t).sort((a, b) => a - b);
  const oldest = times[active.length - policy.unauditedCreatorLimit] ?? now;
  return { admitted: false, active: active.length, retryAt: oldest + DAY_MS };
}
