import { afterEach, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from './emulator.ts';
import type { EmulatorOptions } from './options.ts';
import { callApi, connectCreator } from './testing.ts';

let emu: Emulator;
const make = (o: EmulatorOptions = {}) => (emu = createEmulator({ processingDelayMs: 0, ...o }));
afterEach(() => emu?.close());

const CREATOR_INFO = '/v2/post/publish/creator_info/query/';
const VIDEO_INIT = '/v2/post/publish/video/init/';
const INBOX_INIT = '/v2/post/publish/inbox/video/init/';
const STATUS = '/v2/post/publish/status/fetch/';
const SMALL = { source: 'FILE_UPLOAD', video_size: 1000, chunk_size: 1000, total_chunk_count: 1 };

function post(privacy: string, extra: Record<string, unknown> = {}) {
  return {
    post_info: { privacy_level: privacy, title: 'hello #cat', disable_duet: false, disable_comment: false, disable_stitch: false, brand_content_toggle: false, brand_organic_toggle: false, is_aigc: true, ...extra },
    source_info: SMALL,
  };
}

async function token(creator: string, scopes?: string[]) {
  return (await connectCreator(emu, creator, scopes)).access_token;
}

describe('creator_info', () => {
  it('answers the public and private creators\' options and settings', async () => {
    make();
    const pub = await callApi(emu, CREATOR_INFO, await token('public1'));
    expect(pub.body.data).toMatchObject({ creator_nickname: 'Creator public1', privacy_level_options: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'], max_video_post_duration_sec: 600 });
    const priv = await callApi(emu, CREATOR_INFO, await token('private1'));
    expect(priv.body.data).toMatchObject({ privacy_level_options: ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'], duet_disabled: true, stitch_disabled: true });
    expect((await callApi(emu, CREATOR_INFO, await token('short1'))).body.data).toMatchObject({ max_video_post_duration_sec: 60 });
  });

  it('signals "cannot post" with HTTP 200 and spam_risk_* codes', async () => {
    make();
    const banned = await callApi(emu, CREATOR_INFO, await token('banned1'));
    expect([banned.status, banned.body.error.code]).toEqual([200, 'spam_risk_user_banned_from_posting']);
    const capped = await callApi(emu, CREATOR_INFO, await token('capped1'));
    expect([capped.status, capped.body.error.code]).toEqual([200, 'spam_risk_too_many_posts']);
  });

  it('needs video.publish (401 scope_not_authorized)', async () => {
    make();
    const res = await callApi(emu, CREATOR_INFO, await token('public1', ['user.info.basic', 'video.upload']));
    expect([res.status, res.body.error.code]).toEqual([401, 'scope_not_authorized']);
  });
});

describe('Direct Post init', () => {
  it('accepts a valid post and answers publish_id + upload_url on the emulator', async () => {
    make({ baseUrl: 'http://emu.test:1234' });
    const res = await callApi(emu, VIDEO_INIT, await token('public1'), post('PUBLIC_TO_EVERYONE'));
    expect(res.status).toBe(200);
    expect(res.body.data?.publish_id).toMatch(/^v_pub_file~v2-1\.\d+$/);
    expect(String(res.body.data?.upload_url)).toMatch(/^http:\/\/emu\.test:1234\/upload\/\?upload_id=\w+&upload_token=/);
  });

  it('refuses a privacy level the creator does not offer (403 privacy_level_option_mismatch)', async () => {
    make();
    const res = await callApi(emu, VIDEO_INIT, await token('private1'), post('PUBLIC_TO_EVERYONE'));
    expect([res.status, res.body.error.code]).toEqual([403, 'privacy_level_option_mismatch']);
    const missing = await callApi(emu, VIDEO_INIT, await token('public1'), { post_info: { title: 'x' }, source_info: SMALL });
    expect(missing.body.error.code).toBe('privacy_level_option_mismatch');
  });

  it('counts titles in UTF-16 code units: 2200 accepted, 2201 refused', async () => {
    make();
    const t = await token('public1');
    const emoji2200 = '😀'.repeat(1100); // 1100 code points, 2200 UTF-16 units
    expect((await callApi(emu, VIDEO_INIT, t, post('SELF_ONLY', { title: emoji2200 }))).status).toBe(200);
    const res = await callApi(emu, VIDEO_INIT, t, post('SELF_ONLY', { title: `${emoji2200}a` }));
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_param']);
  });

  it('refuses a bad chunk plan with invalid_params and records a chunk_rule violation', async () => {
    make();
    const t = await token('public1');
    const plans = [
      { video_size: 15_000_000, chunk_size: 10_000_000, total_chunk_count: 1 }, // floor/ceil trap
      { video_size: 100_000_000, chunk_size: 100_000_000, total_chunk_count: 1 }, // > 64 MB in one chunk
      { video_size: 4_000_000, chunk_size: 2_000_000, total_chunk_count: 2 }, // small files go whole
      { video_size: 50_000_123, chunk_size: 10_000_000, total_chunk_count: 6 }, // ceil instead of floor
      { video_size: 200_000_000, chunk_size: 67_108_864, total_chunk_count: 2 }, // 64 MiB, strict mode
    ];
    for (const plan of plans) {
      const res = await callApi(emu, VIDEO_INIT, t, { ...post('SELF_ONLY'), source_info: { source: 'FILE_UPLOAD', ...plan } });
      expect([res.status, res.body.error.code, res.body.error.message]).toEqual([400, 'invalid_params', expect.stringContaining('The chunk size is invalid')]);
    }
    expect(emu.state.violations.filter((v) => v.kind === 'chunk_rule')).toHaveLength(plans.length);
  });

  it('accepts the 64 MiB reading only with lenientChunkBounds', async () => {
    make({ lenientChunkBounds: true });
    const res = await callApi(emu, VIDEO_INIT, await token('public1'), { ...post('SELF_ONLY'), source_info: { source: 'FILE_UPLOAD', video_size: 200_000_000, chunk_size: 67_108_864, total_chunk_count: 2 } });
    expect(res.status).toBe(200);
  });

  it('refuses branded content with SELF_ONLY', async () => {
    make();
    const res = await callApi(emu, VIDEO_INIT, await token('public1'), post('SELF_ONLY', { brand_content_toggle: true }));
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_param']);
  });

  it('limits inits to 6 per minute per token: the 7th is 429 and recorded; the window slides', async () => {
    make();
    const t = await token('public1');
    for (let i = 0; i < 6; i++) expect((await callApi(emu, VIDEO_INIT, t, post('SELF_ONLY'))).status).toBe(200);
    const seventh = await callApi(emu, VIDEO_INIT, t, post('SELF_ONLY'));
    expect([seventh.status, seventh.body.error.code]).toEqual([429, 'rate_limit_exceeded']);
    expect(emu.state.violations).toContainEqual(expect.objectContaining({ kind: 'rate_limit', endpoint: 'video_init' }));
    await emu.app.request('/__control/clock', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceMs: 60_001 }) });
    expect((await callApi(emu, VIDEO_INIT, t, post('SELF_ONLY'))).status).toBe(200);
  });

  it('limits creator_info to 20 and status to 30 per minute per token', async () => {
    make();
    const t = await token('public1');
    for (let i = 0; i < 20; i++) expect((await callApi(emu, CREATOR_INFO, t)).status).toBe(200);
    expect((await callApi(emu, CREATOR_INFO, t)).status).toBe(429);
    const id = (await callApi(emu, VIDEO_INIT, t, post('SELF_ONLY'))).body.data?.publish_id;
    for (let i = 0; i < 30; i++) expect((await callApi(emu, STATUS, t, { publish_id: id })).status).toBe(200);
    expect((await callApi(emu, STATUS, t, { publish_id: id })).status).toBe(429);
    // Another token of the same creator has its own window.
    expect((await callApi(emu, CREATOR_INFO, await token('public1'))).status).toBe(200);
  });

  it('caps Direct Posts per creator over a rolling 24 h', async () => {
    make({ dailyPostLimit: 2 });
    const t = await token('public1');
    for (let i = 0; i < 2; i++) expect((await callApi(emu, VIDEO_INIT, t, post('SELF_ONLY'))).status).toBe(200);
    const third = await callApi(emu, VIDEO_INIT, t, post('SELF_ONLY'));
    expect([third.status, third.body.error.code]).toEqual([403, 'spam_risk_too_many_posts']);
    expect((await callApi(emu, CREATOR_INFO, t)).body.error.code).toBe('spam_risk_too_many_posts');
    emu.state.clockOffsetMs += 24 * 3600 * 1000 + 1;
    const t2 = await token('public1');
    expect((await callApi(emu, VIDEO_INIT, t2, post('SELF_ONLY'))).status).toBe(200);
  });

  it('refuses banned1 and capped1 at init with 403', async () => {
    make();
    expect((await callApi(emu, VIDEO_INIT, await token('banned1'), post('SELF_ONLY'))).body.error.code).toBe('spam_risk_user_banned_from_posting');
    expect((await callApi(emu, VIDEO_INIT, await token('capped1'), post('SELF_ONLY'))).body.error.code).toBe('spam_risk_too_many_posts');
  });
});

describe('unaudited app', () => {
  it('refuses a public account, refuses non-SELF_ONLY, accepts private + SELF_ONLY', async () => {
    make({ appAudited: false });
    const pub = await callApi(emu, VIDEO_INIT, await token('public1'), post('SELF_ONLY'));
    expect([pub.status, pub.body.error.code]).toEqual([403, 'unaudited_client_can_only_post_to_private_accounts']);
    const priv = await token('private1');
    const friends = await callApi(emu, VIDEO_INIT, priv, post('MUTUAL_FOLLOW_FRIENDS'));
    expect([friends.status, friends.body.error.code]).toEqual([403, 'unaudited_client_can_only_post_to_private_accounts']);
    expect((await callApi(emu, VIDEO_INIT, priv, post('SELF_ONLY'))).status).toBe(200);
  });

  it('lets at most 5 creators post per 24 h', async () => {
    make({ appAudited: false });
    const privateCreator = async (id: string) => {
      const t = await token(id);
      const c = emu.state.creators.get(id);
      if (c) Object.assign(c, { isPrivate: true, privacyLevelOptions: ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'] });
      return t;
    };
    for (let i = 0; i < 5; i++) expect((await callApi(emu, VIDEO_INIT, await privateCreator(`p${i}`), post('SELF_ONLY'))).status).toBe(200);
    const sixth = await privateCreator('p5');
    expect((await callApi(emu, VIDEO_INIT, sixth, post('SELF_ONLY'))).body.error.code).toBe('reached_active_user_cap');
    expect((await callApi(emu, CREATOR_INFO, sixth)).body.error.code).toBe('reached_active_user_cap');
  });
});

describe('inbox init, PULL_FROM_URL, status, cancel', () => {
  it('allows 5 pending drafts, refuses the 6th, frees a slot when the user posts one', async () => {
    make();
    const t = await token('public1');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(String((await callApi(emu, INBOX_INIT, t, { source_info: SMALL })).body.data?.publish_id));
    emu.state.clockOffsetMs += 60_001; // rate window
    const sixth = await callApi(emu, INBOX_INIT, t, { source_info: SMALL });
    expect([sixth.status, sixth.body.error.code]).toEqual([403, 'spam_risk_too_many_pending_share']);
    const p = emu.state.publishes.get(ids[0] ?? '');
    if (p) p.status = 'SEND_TO_USER_INBOX';
    expect((await emu.app.request(`/__control/publishes/${encodeURIComponent(ids[0] ?? '')}/user-post`, { method: 'POST' })).status).toBe(200);
    expect((await callApi(emu, INBOX_INIT, t, { source_info: SMALL })).status).toBe(200);
  });

  it('inbox init needs video.upload', async () => {
    make();
    const res = await callApi(emu, INBOX_INIT, await token('public1', ['video.publish']), { source_info: SMALL });
    expect([res.status, res.body.error.code]).toEqual([401, 'scope_not_authorized']);
  });

  it('PULL_FROM_URL needs a verified prefix; then downloads, completes, and cannot be cancelled any more', async () => {
    make({ verifiedUrlPrefixes: ['https://cdn.example.com/v/'] });
    const t = await token('public1');
    const refused = await callApi(emu, VIDEO_INIT, t, { ...post('PUBLIC_TO_EVERYONE'), source_info: { source: 'PULL_FROM_URL', video_url: 'https://evil.example.com/v/1.mp4' } });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'url_ownership_unverified']);
    const accepted = await callApi(emu, VIDEO_INIT, t, { ...post('PUBLIC_TO_EVERYONE'), source_info: { source: 'PULL_FROM_URL', video_url: 'https://cdn.example.com/v/1.mp4' } });
    expect(accepted.body.data).toEqual({ publish_id: expect.stringMatching(/^v_pub_url~/) });
    const status = await callApi(emu, STATUS, t, { publish_id: accepted.body.data?.publish_id });
    expect(status.body.data?.status).toBe('PUBLISH_COMPLETE');
    expect(status.text).toMatch(/"publicaly_available_post_id":\[7300000000000000001\]/);
    const cancel = await callApi(emu, '/v2/post/publish/cancel/', t, { publish_id: accepted.body.data?.publish_id });
    expect([cancel.status, cancel.body.error.code]).toEqual([400, 'publish_not_cancellable']);
  });

  it('cancels an ongoing download (FAILED publish_cancelled)', async () => {
    make({ verifiedUrlPrefixes: ['https://cdn.example.com/'], processingDelayMs: 60_000 });
    const t = await token('public1');
    const id = (await callApi(emu, INBOX_INIT, t, { source_info: { source: 'PULL_FROM_URL', video_url: 'https://cdn.example.com/a.mp4' } })).body.data?.publish_id;
    expect((await callApi(emu, STATUS, t, { publish_id: id })).body.data?.status).toBe('PROCESSING_DOWNLOAD');
    const cancel = await callApi(emu, '/v2/post/publish/cancel/', t, { publish_id: id });
    expect(cancel.status).toBe(200);
    expect(cancel.body).not.toHaveProperty('data');
    expect((await callApi(emu, STATUS, t, { publish_id: id })).body.data).toMatchObject({ status: 'FAILED', fail_reason: 'publish_cancelled' });
  });

  it('status refuses unknown ids and other creators\' ids', async () => {
    make();
    const t = await token('public1');
    expect((await callApi(emu, STATUS, t, { publish_id: 'v_pub_file~nope' })).body.error.code).toBe('invalid_publish_id');
    const id = (await callApi(emu, VIDEO_INIT, t, post('SELF_ONLY'))).body.data?.publish_id;
    const other = await callApi(emu, STATUS, await token('private1'), { publish_id: id });
    expect([other.status, other.body.error.code]).toEqual([400, 'token_not_authorized_for_specified_publish_id']);
  });
});

describe('faults', () => {
  it('injects a status the given number of times, then behaves normally', async () => {
    make();
    const t = await token('public1');
    await emu.app.request('/__control/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ endpoint: 'creator_info', status: 503, times: 2 }) });
    expect((await callApi(emu, CREATOR_INFO, t)).status).toBe(503);
    expect((await callApi(emu, CREATOR_INFO, t)).body.error.code).toBe('internal_error');
    expect((await callApi(emu, CREATOR_INFO, t)).status).toBe(200);
  });
});
