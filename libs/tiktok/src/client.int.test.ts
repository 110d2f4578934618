/**
 * The client against the emulator over real HTTP (startEmulator on a random port, undici).
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type RunningEmulator } from '@tiktok-share/tiktok-emulator';
import type { EmulatorOptions } from '@tiktok-share/tiktok-emulator';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { planChunks } from './chunk-plan.ts';
import { createTikTokClient, type TikTokClient } from './client.ts';
import { FAIL_REASONS, mapFailReason, TikTokError } from './errors.ts';
import type { PostInfo, TokenSet } from './types.ts';
import { verifyWebhookSignature } from './webhook-signature.ts';

const REDIRECT = 'https://app.example.com/api/v1/tiktok/auth/callback';
const ALL_SCOPES = ['user.info.basic', 'video.publish', 'video.upload'];

let emu: RunningEmulator;
let client: TikTokClient;
const cleanups: (() => Promise<void>)[] = [];

async function setup(options: EmulatorOptions = {}, timeouts = {}) {
  emu = await startEmulator({ port: 0, processingDelayMs: 0, ...options });
  client = createTikTokClient({
    clientKey: 'emulator-client-key',
    clientSecret: 'emulator-client-secret',
    apiBaseUrl: emu.url,
    authUrl: `${emu.url}/v2/auth/authorize/`,
    timeouts,
  });
  cleanups.push(() => client.close(), () => emu.close());
}
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function control(path: string, body: unknown): Promise<unknown> {
  const res = await request(`${emu.url}/__control/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.body.json();
}

async function emulatorState(): Promise<{ publishes: { publishId: string; sha256: string | null; bytesReceived: number }[]; violations: unknown[] }> {
  return (await (await request(`${emu.url}/__control/state`)).body.json()) as never;
}

async function authorize(creator: string, scopes = ALL_SCOPES, consent = 'allow'): Promise<URL> {
  const url = client.authorizeUrl({ redirectUri: REDIRECT, state: 'st', scopes, extra: { creator, consent } });
  const res = await request(url);
  await res.body.dump();
  return new URL(String(res.headers.location));
}

async function connect(creator: string, scopes = ALL_SCOPES): Promise<TokenSet> {
  const back = await authorize(creator, scopes);
  return client.exchangeCode({ code: back.searchParams.get('code') ?? '', redirectUri: REDIRECT });
}

async function rejection(promise: Promise<unknown>): Promise<TikTokError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TikTokError);
  return error as TikTokError;
}

const post = (privacyLevel: PostInfo['privacyLevel'], extra: Partial<PostInfo> = {}): PostInfo => ({
  privacyLevel,
  title: 'made with #ai',
  disableDuet: false,
  disableComment: false,
  disableStitch: false,
  brandContentToggle: false,
  brandOrganicToggle: false,
  isAigc: true,
  ...extra,
});

const fileSource = (size: number, preferred?: number) => {
  const plan = planChunks(size, preferred);
  return { source: 'FILE_UPLOAD' as const, videoSize: size, chunkSize: plan.chunkSize, totalChunkCount: plan.totalChunks };
};

/** Deterministic bytes [start, end] in 64 KiB pieces, as an async iterable (never one big buffer). */
async function* pattern(start: number, end: number): AsyncGenerator<Uint8Array> {
  for (let at = start; at <= end; at += 65_536) {
    const n = Math.min(65_536, end - at + 1);
    const piece = new Uint8Array(n);
    for (let i = 0; i < n; i++) piece[i] = (at + i) % 251;
    yield piece;
  }
}

function toWebStream(source: AsyncIterator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await source.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
}

describe('Login Kit', () => {
  it('builds the authorize URL, exchanges the code, reads user info', async () => {
    await setup();
    const url = new URL(client.authorizeUrl({ redirectUri: REDIRECT, state: 'abc', scopes: ALL_SCOPES, disableAutoAuth: true }));
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_key: 'emulator-client-key', scope: ALL_SCOPES.join(','), response_type: 'code', redirect_uri: REDIRECT, state: 'abc', disable_auto_auth: '1' });
    const tokens = await connect('public1');
    expect(tokens).toMatchObject({ openId: 'public1', scopes: ALL_SCOPES, expiresIn: 7200, refreshExpiresIn: 15_552_000 });
    expect(await client.userInfo(tokens.accessToken, ['open_id', 'display_name', 'avatar_url'])).toMatchObject({ open_id: 'public1', display_name: 'Creator public1' });
  });

  it('reports denied consent on the callback', async () => {
    await setup();
    const back = await authorize('public1', ALL_SCOPES, 'deny');
    expect(back.searchParams.get('error')).toBe('access_denied');
  });

  it('rotates on refresh; the old refresh token is invalid_grant (HTTP 200) → reauthorize', async () => {
    await setup();
    const first = await connect('public1');
    const second = await client.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const err = await rejection(client.refresh(first.refreshToken));
    expect(err).toMatchObject({ code: 'invalid_grant', httpStatus: 200, kind: 'reauthorize' });
    expect(err.logId).toMatch(/^\d{14}/);
  });

  it('maps OAuth errors: reused code, wrong redirect, wrong secret', async () => {
    await setup();
    const back = await authorize('public1');
    const code = back.searchParams.get('code') ?? '';
    expect((await rejection(client.exchangeCode({ code, redirectUri: 'https://app.example.com/other' }))).code).toBe('invalid_request');
    await client.exchangeCode({ code, redirectUri: REDIRECT });
    expect(await rejection(client.exchangeCode({ code, redirectUri: REDIRECT }))).toMatchObject({ code: 'invalid_grant', kind: 'reauthorize' });
    const wrong = createTikTokClient({ clientKey: 'emulator-client-key', clientSecret: 'nope', apiBaseUrl: emu.url, authUrl: emu.url });
    cleanups.push(() => wrong.close());
    expect(await rejection(wrong.refresh('rft.x'))).toMatchObject({ code: 'invalid_client', kind: 'final' });
  });

  it('revokes: the access token stops working (access_token_invalid → reauthorize)', async () => {
    await setup();
    const t = await connect('public1');
    await client.revoke(t.accessToken);
    expect(await rejection(client.creatorInfo(t.accessToken))).toMatchObject({ code: 'access_token_invalid', httpStatus: 401, kind: 'reauthorize' });
    expect((await rejection(client.revoke(t.accessToken))).code).toBe('invalid_request');
  });

  it('sees expired tokens and missing scopes', async () => {
    await setup();
    const t = await connect('public1', ['user.info.basic', 'video.upload']);
    expect(await rejection(client.creatorInfo(t.accessToken))).toMatchObject({ code: 'scope_not_authorized', kind: 'reauthorize' });
    expect(await rejection(client.userInfo(t.accessToken, ['follower_count']))).toMatchObject({ code: 'scope_permission_missed', httpStatus: 400, kind: 'final' });
    await control('expire-tokens', {});
    expect((await rejection(client.userInfo(t.accessToken, ['open_id']))).code).toBe('access_token_invalid');
  });
});

describe('creator info and init errors', () => {
  it('returns creator info, and canPost:false for banned and capped creators', async () => {
    await setup();
    const info = await client.creatorInfo((await connect('private1')).accessToken);
    expect(info).toMatchObject({ canPost: true, nickname: 'Creator private1', privacyLevelOptions: ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'], duetDisabled: true, stitchDisabled: true });
    expect(await client.creatorInfo((await connect('banned1')).accessToken)).toMatchObject({ canPost: false, reason: 'spam_risk_user_banned_from_posting' });
    expect(await client.creatorInfo((await connect('capped1')).accessToken)).toMatchObject({ canPost: false, reason: 'spam_risk_too_many_posts' });
  });

  it('maps every documented init error code', async () => {
    await setup({ verifiedUrlPrefixes: ['https://cdn.example.com/'], pendingDraftLimit: 1 });
    const pub = (await connect('public1')).accessToken;
    const small = fileSource(1000);
    const banned = (await connect('banned1')).accessToken;
    const capped = (await connect('capped1')).accessToken;
    // Thunks: each call starts only when its rejection is awaited.
    const cases: [() => Promise<unknown>, string, number][] = [
      [() => client.initDirectPost(pub, { postInfo: post('SELF_ONLY', { title: 'x'.repeat(2201) }), source: small }), 'invalid_param', 400],
      [() => client.initDirectPost(pub, { postInfo: post('SELF_ONLY'), source: { source: 'FILE_UPLOAD', videoSize: 15_000_000, chunkSize: 10_000_000, totalChunkCount: 1 } }), 'invalid_params', 400],
      [() => client.initDirectPost(pub, { postInfo: post('FOLLOWER_OF_CREATOR'), source: small }), 'privacy_level_option_mismatch', 403],
      [() => client.initDirectPost(pub, { postInfo: post('SELF_ONLY'), source: { source: 'PULL_FROM_URL', videoUrl: 'https://other.example.com/a.mp4' } }), 'url_ownership_unverified', 403],
      [() => client.initDirectPost(banned, { postInfo: post('SELF_ONLY'), source: small }), 'spam_risk_user_banned_from_posting', 403],
      [() => client.initDirectPost(capped, { postInfo: post('SELF_ONLY'), source: small }), 'spam_risk_too_many_posts', 403],
    ];
    for (const [call, code, status] of cases) expect(await rejection(call())).toMatchObject({ code, httpStatus: status, kind: 'final' });
    await client.initInbox(pub, { source: small });
    expect(await rejection(client.initInbox(pub, { source: small }))).toMatchObject({ code: 'spam_risk_too_many_pending_share', httpStatus: 403 });
  });

  it('maps the unaudited-app codes', async () => {
    await setup({ appAudited: false, unauditedCreatorLimit: 1 });
    const small = fileSource(1000);
    const err = await rejection(client.initDirectPost((await connect('public1')).accessToken, { postInfo: post('SELF_ONLY'), source: small }));
    expect(err).toMatchObject({ code: 'unaudited_client_can_only_post_to_private_accounts', httpStatus: 403, kind: 'final' });
    await client.initDirectPost((await connect('private1')).accessToken, { postInfo: post('SELF_ONLY'), source: small });
    const other = (await connect('private1')).accessToken;
    await client.initDirectPost(other, { postInfo: post('SELF_ONLY'), source: small }); // same creator: fine
    // A second posting creator is one too many (limit 1 here, 5 by default).
    const second = (await connect('another')).accessToken;
    expect(await client.creatorInfo(second)).toMatchObject({ canPost: false, reason: 'reached_active_user_cap' });
  });

  it('maps rate limits (kind rate_limited) and the emulator records them', async () => {
    await setup();
    const t = (await connect('public1')).accessToken;
    for (let i = 0; i < 6; i++) await client.initDirectPost(t, { postInfo: post('SELF_ONLY'), source: fileSource(1000) });
    expect(await rejection(client.initDirectPost(t, { postInfo: post('SELF_ONLY'), source: fileSource(1000) }))).toMatchObject({ code: 'rate_limit_exceeded', httpStatus: 429, kind: 'rate_limited' });
    expect((await emulatorState()).violations).toContainEqual(expect.objectContaining({ kind: 'rate_limit', endpoint: 'video_init' }));
  });

  it('maps faults: 5xx retryable, reset → network_error, slow headers → timeout', async () => {
    await setup({}, { headersMs: 200 });
    const t = (await connect('public1')).accessToken;
    await control('faults', { endpoint: 'creator_info', status: 500, times: 1 });
    expect(await rejection(client.creatorInfo(t))).toMatchObject({ code: 'internal_error', httpStatus: 500, kind: 'retryable' });
    await control('faults', { endpoint: 'creator_info', reset: true, times: 1 });
    expect(await rejection(client.creatorInfo(t))).toMatchObject({ code: 'network_error', kind: 'retryable' });
    await control('faults', { endpoint: 'creator_info', delayMs: 2500, times: 1 });
    expect(await rejection(client.creatorInfo(t))).toMatchObject({ code: 'timeout', kind: 'retryable' });
    await control('faults', { endpoint: 'token', status: 503, times: 1 });
    expect(await rejection(client.refresh('rft.any'))).toMatchObject({ code: 'server_error', kind: 'retryable' });
    expect((await client.creatorInfo(t)).canPost).toBe(true);
  });
});

describe('plans, uploads, status, cancel', () => {
  it('the emulator accepts a sample of planner plans from 1 byte to 4 GB (init only)', async () => {
    await setup({ dailyPostLimit: 1000, rateLimits: { video_init: 1000 } });
    const t = (await connect('public1')).accessToken;
    const sizes = [1, 4_999_999, 5_000_000, 9_999_999, 15_000_000, 50_000_123, 63_999_999, 64_000_001, 100_000_000, 127_999_999, 1_000_000_000, 2 ** 32 - 7, 2 ** 32];
    for (const preferred of [5_000_000, 10_000_000, 64_000_000]) {
      for (const size of sizes) await client.initDirectPost(t, { postInfo: post('SELF_ONLY'), source: fileSource(size, preferred) });
    }
    for (let i = 0; i < 40; i++) {
      const size = 1 + Math.floor(Math.random() * 2 ** 32);
      await client.initDirectPost(t, { postInfo: post('SELF_ONLY'), source: fileSource(size, 5_000_000 + Math.floor(Math.random() * 59_000_000)) });
    }
    expect((await emulatorState()).violations).toEqual([]);
  });

  it('streams a ~23 MB multi-chunk upload (206 then 201), then status gives exact post ids', async () => {
    await setup();
    const t = (await connect('public1')).accessToken;
    const size = 23_456_789;
    const plan = planChunks(size);
    expect(plan.totalChunks).toBe(2);
    const init = await client.initDirectPost(t, { postInfo: post('PUBLIC_TO_EVERYONE'), source: fileSource(size) });
    const statuses: number[] = [];
    for (const c of plan.chunks) {
      const r = await client.uploadChunk(init.uploadUrl ?? '', { start: c.start, end: c.end, total: size, body: pattern(c.start, c.end) });
      statuses.push(r.status);
      expect(r.uploadedBytes).toBe(c.end + 1);
    }
    expect(statuses).toEqual([206, 201]);
    const sha = createHash('sha256');
    for await (const piece of pattern(0, size - 1)) sha.update(piece);
    expect((await emulatorState()).publishes.find((p) => p.publishId === init.publishId)).toMatchObject({ bytesReceived: size, sha256: sha.digest('hex') });
    const status = await client.fetchStatus(t, init.publishId);
    expect(status).toEqual({ status: 'PUBLISH_COMPLETE', postIds: ['7300000000000000001'], uploadedBytes: size });
  });

  it('uploads a small file whole from a web ReadableStream; a repeated chunk is 416 with progress', async () => {
    await setup();
    const t = (await connect('public1')).accessToken;
    const init = await client.initInbox(t, { source: fileSource(300_000) });
    const body = () => toWebStream(pattern(0, 299_999));
    const done = await client.uploadChunk(init.uploadUrl ?? '', { start: 0, end: 299_999, total: 300_000, body: body() });
    expect(done).toEqual({ status: 201, uploadedBytes: 300_000 });
    const again = await rejection(client.uploadChunk(init.uploadUrl ?? '', { start: 0, end: 299_999, total: 300_000, body: body() }));
    expect(again).toMatchObject({ code: 'range_not_satisfiable', httpStatus: 416, uploadedBytes: 300_000, kind: 'retryable' });
    expect(await client.fetchStatus(t, init.publishId)).toMatchObject({ status: 'SEND_TO_USER_INBOX', postIds: [] });
    const unknown = await rejection(client.uploadChunk(`${emu.url}/upload/?upload_id=x&upload_token=y`, { start: 0, end: 0, total: 1, body: new Uint8Array(1) }));
    expect(unknown).toMatchObject({ code: 'upload_not_found', httpStatus: 404 });
  });

  it('maps status and cancel errors', async () => {
    await setup({ verifiedUrlPrefixes: ['https://cdn.example.com/'], processingDelayMs: 60_000 });
    const t = (await connect('public1')).accessToken;
    expect(await rejection(client.fetchStatus(t, 'v_pub_file~nope'))).toMatchObject({ code: 'invalid_publish_id', httpStatus: 400 });
    const pull = await client.initDirectPost(t, { postInfo: post('SELF_ONLY'), source: { source: 'PULL_FROM_URL', videoUrl: 'https://cdn.example.com/a.mp4' } });
    expect(pull.uploadUrl).toBeUndefined();
    expect(await rejection(client.fetchStatus((await connect('private1')).accessToken, pull.publishId))).toMatchObject({ code: 'token_not_authorized_for_specified_publish_id' });
    expect((await client.fetchStatus(t, pull.publishId)).status).toBe('PROCESSING_DOWNLOAD');
    await client.cancel(t, pull.publishId);
    expect(await client.fetchStatus(t, pull.publishId)).toMatchObject({ status: 'FAILED', failReason: 'publish_cancelled' });
    expect(await rejection(client.cancel(t, pull.publishId))).toMatchObject({ code: 'publish_not_cancellable', kind: 'final' });
  });

  it('reports every fail reason, mapped retryable or final', async () => {
    await setup({ processingDelayMs: 60_000, dailyPostLimit: 100, rateLimits: { video_init: 100 } });
    const t = (await connect('public1')).accessToken;
    for (const reason of FAIL_REASONS) {
      const init = await client.initDirectPost(t, { postInfo: post('SELF_ONLY'), source: fileSource(10) });
      await control(`publishes/${encodeURIComponent(init.publishId)}/fail`, { failReason: reason });
      const status = await client.fetchStatus(t, init.publishId);
      expect(status).toMatchObject({ status: 'FAILED', failReason: reason });
      expect(mapFailReason(status.failReason ?? '').retryable).toBe(reason === 'internal' || reason === 'video_pull_failed');
    }
  });
});

describe('webhooks', () => {
  let receiver: Server;
  afterEach(() => new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r())));

  it('delivers signed webhooks and retries non-200 answers', async () => {
    const received: { raw: string; signature: string }[] = [];
    let calls = 0;
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString()));
      req.on('end', () => {
        calls++;
        if (calls === 1) return void res.writeHead(500).end();
        received.push({ raw, signature: String(req.headers['tiktok-signature']) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await setup({ webhookUrl: hook, webhookBaseDelayMs: 10 });
    const t = (await connect('public1')).accessToken;
    const init = await client.initDirectPost(t, { postInfo: post('PUBLIC_TO_EVERYONE'), source: fileSource(10) });
    await client.uploadChunk(init.uploadUrl ?? '', { start: 0, end: 9, total: 10, body: new Uint8Array(10) });
    await control('revoke', { openId: 'public1', reason: 1 });
    await expect.poll(() => received.length, { timeout: 3000 }).toBe(3);
    const now = Math.floor(Date.now() / 1000);
    for (const r of received) expect(verifyWebhookSignature('emulator-client-secret', r.raw, r.signature, now)).toBe(true);
    const events = received.map((r) => JSON.parse(r.raw) as { event: string; client_key: string; user_openid: string; content: string });
    expect(events.map((e) => e.event).sort()).toEqual(['authorization.removed', 'post.publish.complete', 'post.publish.publicly_available']);
    const available = events.find((e) => e.event === 'post.publish.publicly_available');
    expect(available).toMatchObject({ client_key: 'emulator-client-key', user_openid: 'public1' });
    expect(JSON.parse(available?.content ?? '{}')).toEqual({ publish_id: init.publishId, post_id: '7300000000000000001', publish_type: 'DIRECT_PUBLISH' });
    expect(calls).toBe(4);
  });
});
