/**
 * Content Posting: creator_info, Direct Post init, inbox init, status/fetch, cancel.
 * Order of checks per request: fault → token → scope → rate window → body → creator rules.
 */
import { Hono, type Context } from 'hono';
import { getCreator, overActiveCreatorCap, pendingDrafts, postsInLastDay } from './creators.ts';
import { applyFault, authenticate, jsonBody, rateLimit, requireScope } from './guards.ts';
import { failPublish, statusDataJson } from './lifecycle.ts';
import { createPublish, parseSource } from './publish.ts';
import { apiError, ok } from './respond.ts';
import type { AccessToken, Creator, EmulatorState, PrivacyLevel } from './state.ts';

const PRIVACY: PrivacyLevel[] = ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'];
const BOOLEAN_FIELDS = ['disable_duet', 'disable_stitch', 'disable_comment', 'brand_content_toggle', 'brand_organic_toggle', 'is_aigc'];
const MAX_TITLE_UTF16 = 2200;

/** Why this creator cannot post now (creator_info answers it with HTTP 200), or null. */
function cannotPost(state: EmulatorState, creator: Creator): { code: string; message: string } | null {
  if (creator.banned) return { code: 'spam_risk_user_banned_from_posting', message: 'The user is banned from posting.' };
  if (postsInLastDay(state, creator) >= state.settings.dailyPostLimit) return { code: 'spam_risk_too_many_posts', message: 'The daily post cap for this creator is reached.' };
  if (overActiveCreatorCap(state, creator.openId)) return { code: 'reached_active_user_cap', message: 'The daily quota of active publishing users of this client is reached.' };
  return null;
}

async function guarded(c: Context, state: EmulatorState, endpoint: 'creator_info' | 'video_init' | 'inbox_init' | 'status', scopes: string[]): Promise<AccessToken | Response> {
  const fault = await applyFault(c, state, endpoint);
  if (fault) return fault;
  const token = authenticate(c, state);
  if (token instanceof Response) return token;
  return requireScope(state, token, ...scopes) ?? rateLimit(state, token, endpoint) ?? token;
}

async function creatorInfo(c: Context, state: EmulatorState): Promise<Response> {
  const token = await guarded(c, state, 'creator_info', ['video.publish']);
  if (token instanceof Response) return token;
  const creator = getCreator(state, token.openId);
  const blocked = cannotPost(state, creator);
  if (blocked) return apiError(state, 200, blocked.code, blocked.message); // HTTP 200 "(intentional)"
  return ok(state, {
    creator_avatar_url: creator.avatarUrl,
    creator_username: creator.username,
    creator_nickname: creator.nickname,
    privacy_level_options: creator.privacyLevelOptions,
    comment_disabled: creator.commentDisabled,
    duet_disabled: creator.duetDisabled,
    stitch_disabled: creator.stitchDisabled,
    max_video_post_duration_sec: creator.maxVideoPostDurationSec,
  });
}

type PostInfo = { privacyLevel: PrivacyLevel; title: string | null; brandContent: boolean };

function parsePostInfo(raw: unknown): PostInfo | string {
  if (typeof raw !== 'object' || raw === null) return 'post_info is required';
  const p = raw as Record<string, unknown>;
  const bad = BOOLEAN_FIELDS.find((f) => p[f] !== undefined && typeof p[f] !== 'boolean');
  if (bad) return `post_info.${bad} must be a boolean`;
  if (p.title !== undefined && typeof p.title !== 'string') return 'post_info.title must be a string';
  // String length in JS counts UTF-16 code units — exactly TikTok's unit.
  if (typeof p.title === 'string' && p.title.length > MAX_TITLE_UTF16) return `post_info.title exceeds ${MAX_TITLE_UTF16} UTF-16 code units`;
  if (p.video_cover_timestamp_ms !== undefined && !Number.isInteger(p.video_cover_timestamp_ms)) return 'post_info.video_cover_timestamp_ms must be an integer';
  const privacy = p.privacy_level;
  if (typeof privacy !== 'string' || !PRIVACY.includes(privacy as PrivacyLevel)) return 'privacy_level';
  return { privacyLevel: privacy as PrivacyLevel, title: typeof p.title === 'string' ? p.title : null, brandContent: p.brand_content_toggle === true };
}

function directPostRule(state: EmulatorState, creator: Creator, info: PostInfo): Response | null {
  const refuse = (code: string, message: string) => apiError(state, 403, code, message);
  if (creator.banned) return refuse('spam_risk_user_banned_from_posting', 'The user is banned from posting.');
  if (!state.settings.appAudited && !creator.isPrivate) {
    return refuse('unaudited_client_can_only_post_to_private_accounts', 'Unaudited clients can only post to private accounts; the target account is public.');
  }
  if (!creator.privacyLevelOptions.includes(info.privacyLevel)) return refuse('privacy_level_option_mismatch', 'privacy_level is not one of the creator\'s privacy_level_options.');
  if (!state.settings.appAudited && info.privacyLevel !== 'SELF_ONLY') {
    return refuse('unaudited_client_can_only_post_to_private_accounts', 'Unaudited clients can only post with privacy_level SELF_ONLY.');
  }
  if (overActiveCreatorCap(state, creator.openId)) return refuse('reached_active_user_cap', 'The daily quota of active publishing users of this client is reached.');
  if (postsInLastDay(state, creator) >= state.settings.dailyPostLimit) return refuse('spam_risk_too_many_posts', 'The daily post cap for this creator is reached.');
  return null;
}

function recordInit(state: EmulatorState, endpoint: 'video_init' | 'inbox_init', openId: string, res: Response, outcome?: string): Response {
  state.initCalls.push({ endpoint, openId, at: new Date(state.now()).toISOString(), outcome: outcome ?? (res.ok ? 'ok' : String(res.status)) });
  return res;
}

async function videoInit(c: Context, state: EmulatorState): Promise<Response> {
  const token = await guarded(c, state, 'video_init', ['video.publish']);
  if (token instanceof Response) return token;
  const done = (res: Response, outcome?: string) => recordInit(state, 'video_init', token.openId, res, outcome);
  const body = await jsonBody(c);
  if (!body) return done(apiError(state, 400, 'invalid_param', 'The request body must be a JSON object.'), 'invalid_param');
  const info = parsePostInfo(body.post_info);
  if (info === 'privacy_level') return done(apiError(state, 403, 'privacy_level_option_mismatch', 'privacy_level is missing or invalid.'), 'privacy_level_option_mismatch');
  if (typeof info === 'string') return done(apiError(state, 400, 'invalid_param', info), 'invalid_param');
  const source = parseSource(state, body.source_info);
  if (source instanceof Response) return done(source);
  const creator = getCreator(state, token.openId);
  const refused = directPostRule(state, creator, info);
  if (refused) return done(refused);
  if (info.brandContent && info.privacyLevel === 'SELF_ONLY') return done(apiError(state, 400, 'invalid_param', 'Branded content cannot be private (SELF_ONLY).'), 'invalid_param');
  creator.postTimes.push(state.now());
  state.activeCreators.set(creator.openId, state.now());
  return done(ok(state, createPublish(state, token.openId, 'direct', source, info.privacyLevel, info.title)));
}

async function inboxInit(c: Context, state: EmulatorState): Promise<Response> {
  const token = await guarded(c, state, 'inbox_init', ['video.upload']);
  if (token instanceof Response) return token;
  const done = (res: Response) => recordInit(state, 'inbox_init', token.openId, res);
  const body = await jsonBody(c);
  if (!body) return done(apiError(state, 400, 'invalid_param', 'The request body must be a JSON object.'));
  const source = parseSource(state, body.source_info);
  if (source instanceof Response) return done(source);
  const creator = getCreator(state, token.openId);
  if (creator.banned) return done(apiError(state, 403, 'spam_risk_user_banned_from_posting', 'The user is banned from posting.'));
  if (pendingDrafts(state, creator.openId) >= state.settings.pendingDraftLimit) {
    return done(apiError(state, 403, 'spam_risk_too_many_pending_share', 'Too many pending shares for this user in the last 24 hours.'));
  }
  return done(ok(state, createPublish(state, token.openId, 'inbox', source, null, null)));
}

async function findOwnPublish(c: Context, state: EmulatorState, token: AccessToken) {
  const body = await jsonBody(c);
  const id = body?.publish_id;
  if (typeof id !== 'string' || id === '') return apiError(state, 400, 'invalid_params', 'publish_id is required.');
  const p = state.publishes.get(id);
  if (!p) return apiError(state, 400, 'invalid_publish_id', 'The publish_id does not exist.');
  if (p.openId !== token.openId) return apiError(state, 400, 'token_not_authorized_for_specified_publish_id', 'The token is not authorized for this publish_id.');
  return p;
}

async function statusFetch(c: Context, state: EmulatorState): Promise<Response> {
  const token = await guarded(c, state, 'status', ['video.publish', 'video.upload']);
  if (token instanceof Response) return token;
  const p = await findOwnPublish(c, state, token);
  return p instanceof Response ? p : ok(state, statusDataJson(p));
}

async function cancel(c: Context, state: EmulatorState): Promise<Response> {
  const fault = await applyFault(c, state, 'cancel');
  if (fault) return fault;
  const token = authenticate(c, state);
  if (token instanceof Response) return token;
  const scope = requireScope(state, token, 'video.publish', 'video.upload');
  if (scope) return scope;
  const p = await findOwnPublish(c, state, token);
  if (p instanceof Response) return p;
  // Only an ongoing PULL_FROM_URL download can be cancelled; there is no cancel for FILE_UPLOAD.
  if (p.source !== 'PULL_FROM_URL' || p.status !== 'PROCESSING_DOWNLOAD') {
    return apiError(state, 400, 'publish_not_cancellable', 'The publish can no longer be cancelled.');
  }
  failPublish(state, p, 'publish_cancelled');
  return ok(state, null);
}

/** The Content Posting routes. */
export function postingRoutes(state: EmulatorState): Hono {
  const app = new Hono();
  app.post('/v2/post/publish/creator_info/query/', (c) => creatorInfo(c, state));
  app.post('/v2/post/publish/video/init/', (c) => videoInit(c, state));
  app.post('/v2/post/publish/inbox/video/init/', (c) => inboxInit(c, state));
  app.post('/v2/post/publish/status/fetch/', (c) => statusFetch(c, state));
  app.post('/v2/post/publish/cancel/', (c) => cancel(c, state));
  return app;
}
