import { afterEach, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from './emulator.ts';
import type { EmulatorOptions } from './options.ts';
import { callApi, connectCreator, TEST_REDIRECT_URI } from './testing.ts';

let emu: Emulator;
const make = (o: EmulatorOptions = {}) => (emu = createEmulator({ processingDelayMs: 0, ...o }));
afterEach(() => emu?.close());

const KEY = 'emulator-client-key';
const SECRET = 'emulator-client-secret';

function authorizeQuery(extra: Record<string, string>): string {
  return new URLSearchParams({ client_key: KEY, scope: 'user.info.basic,video.publish', response_type: 'code', redirect_uri: TEST_REDIRECT_URI, state: 'st-1', ...extra }).toString();
}

async function codeFor(creator: string): Promise<string> {
  const res = await emu.app.request(`/v2/auth/authorize/?${authorizeQuery({ creator, consent: 'allow' })}`);
  return new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
}

function form(fields: Record<string, string>) {
  return emu.app.request('/v2/oauth/token/', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
}

const exchange = (code: string, redirectUri = TEST_REDIRECT_URI) =>
  form({ client_key: KEY, client_secret: SECRET, code, grant_type: 'authorization_code', redirect_uri: redirectUri });
const refresh = (token: string) => form({ client_key: KEY, client_secret: SECRET, grant_type: 'refresh_token', refresh_token: token });

describe('authorize page', () => {
  it('shows a consent page listing the test creators', async () => {
    make();
    const res = await emu.app.request(`/v2/auth/authorize/?${authorizeQuery({})}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    for (const id of ['public1', 'private1', 'banned1', 'short1', 'capped1']) expect(html).toContain(`value="${id}"`);
    expect(html).toContain('value="deny"');
  });

  it('redirects with code, granted scopes and state on allow; error=access_denied on deny', async () => {
    make();
    const allow = new URL((await emu.app.request(`/v2/auth/authorize/?${authorizeQuery({ creator: 'public1', consent: 'allow', granted_scopes: 'user.info.basic' })}`)).headers.get('location') ?? '');
    expect(allow.origin + allow.pathname).toBe(TEST_REDIRECT_URI);
    expect(allow.searchParams.get('code')).toMatch(/^code\./);
    expect(allow.searchParams.get('scopes')).toBe('user.info.basic');
    expect(allow.searchParams.get('state')).toBe('st-1');
    const deny = new URL((await emu.app.request(`/v2/auth/authorize/?${authorizeQuery({ creator: 'public1', consent: 'deny' })}`)).headers.get('location') ?? '');
    expect(deny.searchParams.get('error')).toBe('access_denied');
    expect(deny.searchParams.get('state')).toBe('st-1');
  });

  it('refuses an unknown client key or an unregistered redirect URI, and redirects invalid_scope', async () => {
    make({ redirectUris: [TEST_REDIRECT_URI] });
    expect((await emu.app.request(`/v2/auth/authorize/?${authorizeQuery({ client_key: 'nope' })}`)).status).toBe(400);
    expect((await emu.app.request(`/v2/auth/authorize/?${authorizeQuery({ redirect_uri: 'https://evil.example/cb' })}`)).status).toBe(400);
    const res = await emu.app.request(`/v2/auth/authorize/?${authorizeQuery({ scope: 'video.publish,admin.everything', creator: 'public1', consent: 'allow' })}`);
    expect(new URL(res.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_scope');
  });
});

describe('token endpoint', () => {
  it('exchanges a code once: a reused code is invalid_grant (HTTP 200, flat error)', async () => {
    make();
    const code = await codeFor('public1');
    const first = await exchange(code);
    const tokens = (await first.json()) as Record<string, unknown>;
    expect(tokens).toMatchObject({ open_id: 'public1', scope: 'user.info.basic,video.publish', token_type: 'Bearer', expires_in: 7200, refresh_expires_in: 15_552_000 });
    const again = await exchange(code);
    expect(again.status).toBe(200);
    const err = (await again.json()) as Record<string, unknown>;
    expect(err).toMatchObject({ error: 'invalid_grant' });
    expect(typeof err.log_id).toBe('string');
  });

  it('refuses JSON bodies: the token endpoint is form-encoded only', async () => {
    make();
    const code = await codeFor('public1');
    const res = await emu.app.request('/v2/oauth/token/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_key: KEY, client_secret: SECRET, code, grant_type: 'authorization_code', redirect_uri: TEST_REDIRECT_URI }),
    });
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a redirect URI other than the authorize one, a bad secret, an unknown grant, an expired code', async () => {
    make({ codeTtlSec: 60, oauthErrorStatus: 400 });
    const code = await codeFor('public1');
    const mismatch = await exchange(code, 'https://app.example.com/other');
    expect(mismatch.status).toBe(400);
    expect(await mismatch.json()).toMatchObject({ error: 'invalid_request', error_description: 'Redirect_uri is not matched with the uri when requesting code.' });
    expect(await (await form({ client_key: KEY, client_secret: 'wrong', code, grant_type: 'authorization_code', redirect_uri: TEST_REDIRECT_URI })).json()).toMatchObject({ error: 'invalid_client' });
    expect(await (await form({ client_key: KEY, client_secret: SECRET, grant_type: 'password' })).json()).toMatchObject({ error: 'unsupported_grant_type' });
    const late = await codeFor('public1');
    emu.state.clockOffsetMs += 61_000;
    expect(await (await exchange(late)).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('rotates refresh tokens: the old one stops working, the new one works', async () => {
    make();
    const first = await connectCreator(emu, 'public1');
    const rotated = (await (await refresh(first.refresh_token)).json()) as Record<string, string>;
    expect(rotated.refresh_token).toBeDefined();
    expect(rotated.refresh_token).not.toBe(first.refresh_token);
    expect(rotated.access_token).not.toBe(first.access_token);
    expect(await (await refresh(first.refresh_token)).json()).toMatchObject({ error: 'invalid_grant' });
    expect(await (await refresh(rotated.refresh_token ?? '')).json()).toHaveProperty('access_token');
  });

  it('keeps the refresh window fixed from the first issuance', async () => {
    make({ refreshTokenTtlSec: 100, now: () => 1_700_000_000_000 });
    const first = await connectCreator(emu, 'public1');
    emu.state.clockOffsetMs += 60_000;
    const rotated = (await (await refresh(first.refresh_token)).json()) as Record<string, unknown>;
    expect(rotated.refresh_expires_in).toBe(40);
    emu.state.clockOffsetMs += 41_000;
    expect(await (await refresh(String(rotated.refresh_token))).json()).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('revoke, expiry and user/info', () => {
  it('revoke kills the access and refresh tokens', async () => {
    make();
    const t = await connectCreator(emu, 'public1');
    const res = await emu.app.request('/v2/oauth/revoke/', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_key: KEY, client_secret: SECRET, token: t.access_token }) });
    expect(await res.json()).toEqual({});
    expect((await callApi(emu, '/v2/post/publish/creator_info/query/', t.access_token)).status).toBe(401);
    expect(await (await refresh(t.refresh_token)).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('expire-tokens makes access tokens invalid (401 access_token_invalid)', async () => {
    make();
    const t = await connectCreator(emu, 'public1');
    await emu.app.request('/__control/expire-tokens', { method: 'POST', body: JSON.stringify({ openId: 'public1' }), headers: { 'content-type': 'application/json' } });
    const res = await callApi(emu, '/v2/post/publish/creator_info/query/', t.access_token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('access_token_invalid');
  });

  it('user/info returns the requested fields and needs each field\'s scope', async () => {
    make();
    const t = await connectCreator(emu, 'public1', ['user.info.basic']);
    const get = (fields: string | null) => emu.app.request(`/v2/user/info/${fields === null ? '' : `?fields=${fields}`}`, { headers: { authorization: `Bearer ${t.access_token}` } });
    const ok = (await (await get('open_id,display_name')).json()) as { data: { user: Record<string, unknown> } };
    expect(ok.data.user).toEqual({ open_id: 'public1', display_name: 'Creator public1' });
    const noFields = await get(null);
    expect(noFields.status).toBe(400);
    const missed = await get('open_id,follower_count');
    expect(missed.status).toBe(400);
    expect(await missed.json()).toMatchObject({ error: { code: 'scope_permission_missed' } });
  });
});
