/** GET /v2/user/info/?fields=… — every field needs its scope; one missing fails the whole call. */
import { Hono, type Context } from 'hono';
import { getCreator } from './creators.ts';
import { applyFault, authenticate, rateLimit } from './guards.ts';
import { apiError, ok } from './respond.ts';
import type { Creator, EmulatorState } from './state.ts';

const FIELD_SCOPES: Record<string, string> = {
  open_id: 'user.info.basic',
  union_id: 'user.info.basic',
  avatar_url: 'user.info.basic',
  avatar_url_100: 'user.info.basic',
  avatar_large_url: 'user.info.basic',
  display_name: 'user.info.basic',
  bio_description: 'user.info.profile',
  profile_deep_link: 'user.info.profile',
  profile_web_link: 'user.info.profile',
  is_verified: 'user.info.profile',
  username: 'user.info.profile',
  follower_count: 'user.info.stats',
  following_count: 'user.info.stats',
  likes_count: 'user.info.stats',
  video_count: 'user.info.stats',
};

function fieldValue(c: Creator, field: string): unknown {
  switch (field) {
    case 'open_id':
      return c.openId;
    case 'union_id':
      return `union-${c.openId}`;
    case 'avatar_url':
    case 'avatar_url_100':
    case 'avatar_large_url':
      return c.avatarUrl;
    case 'display_name':
      return c.nickname;
    case 'username':
      return c.username;
    case 'is_verified':
      return false;
    case 'bio_description':
      return '';
    case 'profile_deep_link':
    case 'profile_web_link':
      return `https://www.tiktok.com/@${c.username}`;
    default:
      return 0; // counts
  }
}

async function userInfo(c: Context, state: EmulatorState): Promise<Response> {
  const fault = await applyFault(c, state, 'user_info');
  if (fault) return fault;
  const token = authenticate(c, state);
  if (token instanceof Response) return token;
  const limited = rateLimit(state, token, 'user_info');
  if (limited) return limited;
  const fields = (c.req.query('fields') ?? '').split(',').map((f) => f.trim()).filter(Boolean);
  if (fields.length === 0) return apiError(state, 400, 'invalid_params', 'fields is required.');
  const unknown = fields.find((f) => !(f in FIELD_SCOPES));
  if (unknown) return apiError(state, 400, 'invalid_params', `Unknown field: ${unknown}.`);
  const missing = fields.find((f) => !token.scopes.includes(FIELD_SCOPES[f] ?? ''));
  if (missing) return apiError(state, 400, 'scope_permission_missed', `Field ${missing} needs scope ${FIELD_SCOPES[missing]}.`);
  const creator = getCreator(state, token.openId);
  return ok(state, { user: Object.fromEntries(fields.map((f) => [f, fieldValue(creator, f)])) });
}

export function userInfoRoutes(state: EmulatorState): Hono {
  const app = new Hono();
  app.get('/v2/user/info/', (c) => userInfo(c, state));
  return app;
}
