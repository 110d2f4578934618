/**
 * The `onCall` metrics hook against the emulator over real HTTP: one report per HTTP call, with the
 * endpoint, the outcome (ok / TikTok code / network_error / timeout), the status and, for uploads,
 * the bytes TikTok acknowledged. Never a token in what it reports.
 */
import { startEmulator, type RunningEmulator } from '@tiktok-share/tiktok-emulator';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { planChunks } from './chunk-plan.ts';
import { createTikTokClient, type TikTokCall, type TikTokClient } from './client.ts';
import type { PostInfo } from './types.ts';

const REDIRECT = 'https://app.example.com/api/v1/tiktok/auth/callback';
const SCOPES = ['user.info.basic', 'video.publish', 'video.upload'];

let emu: RunningEmulator;
let client: TikTokClient;
let calls: TikTokCall[];
const cleanups: (() => Promise<void>)[] = [];

async function setup(onCall: (call: TikTokCall) => void = (c) => calls.push(c)) {
  calls = [];
  emu = await startEmulator({ port: 0, processingDelayMs: 0 });
  client = createTikTokClient({
    clientKey: 'emulator-client-key', clientSecret: 'emulator-client-secret', apiBaseUrl: emu.url, authUrl: `${emu.url}/v2/auth/authorize/`,
    timeouts: { headersMs: 200 }, onCall,
  });
  cleanups.push(() => client.close(), () => emu.close());
}
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function connect(creator: string) {
  const url = client.authorizeUrl({ redirectUri: REDIRECT, state: 'st', scopes: SCOPES, extra: { creator, consent: 'allow' } });
  const res = await request(url);
  await res.body.dump();
  const code = new URL(String(res.headers.location)).searchParams.get('code') ?? '';
  return client.exchangeCode({ code, redirectUri: REDIRECT });
}

async function fault(body: unknown) {
  const res = await request(`${emu.url}/__control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.body.dump();
}

const settle = (p: Promise<unknown>) => p.then(() => undefined, () => undefined);
const post: PostInfo = { privacyLevel: 'SELF_ONLY', disableDuet: false, disableComment: false, disableStitch: false, brandContentToggle: false, brandOrganicToggle: false, isAigc: false };
const summary = () => calls.map((c) => `${c.endpoint}:${c.outcome}:${c.httpStatus}${c.bytes === undefined ? '' : `:${c.bytes}`}`);

describe('onCall', () => {
  it('reports each call of a Direct Post: token, creator_info, video_init, two chunk uploads with their bytes, status', async () => {
    await setup();
    const t = await connect('public1');
    await client.creatorInfo(t.accessToken);
    const size = 23_456_789;
    expect(planChunks(size).totalChunks).toBe(2);
    const plan = planChunks(size);
    const init = await client.initDirectPost(t.accessToken, { postInfo: post, source: { source: 'FILE_UPLOAD', videoSize: size, chunkSize: plan.chunkSize, totalChunkCount: plan.totalChunks } });
    for (const c of plan.chunks) await client.uploadChunk(init.uploadUrl ?? '', { start: c.start, end: c.end, total: size, body: new Uint8Array(c.end - c.start + 1) });
    await client.fetchStatus(t.accessToken, init.publishId);
    const [first, second] = plan.chunks;
    expect(summary()).toEqual([
      'token:ok:200', 'creator_info:ok:200', 'video_init:ok:200',
      `upload:ok:206:${(first?.end ?? 0) + 1}`, `upload:ok:201:${size - (second?.start ?? 0)}`, 'status:ok:200',
    ]);
    expect(calls.reduce((n, c) => n + (c.bytes ?? 0), 0)).toBe(size);
    for (const c of calls) expect(c.ms).toBeGreaterThanOrEqual(0);
    // Nothing secret in what the hook sees.
    expect(JSON.stringify(calls)).not.toContain(t.accessToken);
  });

  it('reports user_info, inbox_init, a 416 without bytes, cancel, revoke, TikTok error codes and cannot-post codes', async () => {
    await setup();
    const t = await connect('public1');
    await client.userInfo(t.accessToken, ['open_id']);
    const init = await client.initInbox(t.accessToken, { source: { source: 'FILE_UPLOAD', videoSize: 10, chunkSize: 10, totalChunkCount: 1 } });
    await client.uploadChunk(init.uploadUrl ?? '', { start: 0, end: 9, total: 10, body: new Uint8Array(10) });
    await settle(client.uploadChunk(init.uploadUrl ?? '', { start: 0, end: 9, total: 10, body: new Uint8Array(10) }));
    await settle(client.cancel(t.accessToken, init.publishId));
    await client.revoke(t.accessToken);
    await settle(client.creatorInfo(t.accessToken));
    expect(summary()).toEqual([
      'token:ok:200', 'user_info:ok:200', 'inbox_init:ok:200', 'upload:ok:201:10', 'upload:range_not_satisfiable:416',
      expect.stringMatching(/^cancel:[a-z_]+:4\d\d$/), 'revoke:ok:200', 'creator_info:access_token_invalid:401',
    ]);
    calls.length = 0;
    await client.creatorInfo((await connect('capped1')).accessToken);
    expect(summary()).toEqual(['token:ok:200', 'creator_info:spam_risk_too_many_posts:200']);
  });

  it('reports network_error and timeout with status 0, and 5xx with their code', async () => {
    await setup();
    const t = await connect('public1');
    calls.length = 0;
    await fault({ endpoint: 'creator_info', status: 500, times: 1 });
    await settle(client.creatorInfo(t.accessToken));
    await fault({ endpoint: 'creator_info', reset: true, times: 1 });
    await settle(client.creatorInfo(t.accessToken));
    await fault({ endpoint: 'creator_info', delayMs: 1000, times: 1 });
    await settle(client.creatorInfo(t.accessToken));
    expect(summary()).toEqual(['creator_info:internal_error:500', 'creator_info:network_error:0', 'creator_info:timeout:0']);
    expect(calls[2]?.ms).toBeGreaterThanOrEqual(150);
  });

  it('a throwing hook never fails the call', async () => {
    await setup(() => {
      throw new Error('broken metrics');
    });
    const t = await connect('public1');
    expect((await client.creatorInfo(t.accessToken)).canPost).toBe(true);
  });
});
