/** Helpers for tests that drive the emulator in memory (`app.request`, no sockets). */
import type { Emulator } from './emulator.ts';

export type TokenJson = { access_token: string; refresh_token: string; open_id: string; scope: string; expires_in: number; refresh_expires_in: number };

export const TEST_REDIRECT_URI = 'https://app.example.com/api/v1/tiktok/auth/callback';

/**
 * Runs authorize (consent shortcut) + code exchange for a creator and returns the token JSON.
 * @example const tokens = await connectCreator(emu, 'private1', ['video.publish']);
 */
export async function connectCreator(emu: Emulator, creator: string, scopes: string[] = ['user.info.basic', 'video.publish', 'video.upload']): Promise<TokenJson> {
  const { clientKey, clientSecret } = emu.state.settings;
  const q = new URLSearchParams({ client_key: clientKey, scope: scopes.join(','), response_type: 'code', redirect_uri: TEST_REDIRECT_URI, state: 's', creator, consent: 'allow' });
  const res = await emu.app.request(`/v2/auth/authorize/?${q}`);
  const code = new URL(res.headers.get('location') ?? '').searchParams.get('code');
  if (!code) throw new Error(`authorize did not redirect with a code (${res.status})`);
  const token = await emu.app.request('/v2/oauth/token/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_key: clientKey, client_secret: clientSecret, code, grant_type: 'authorization_code', redirect_uri: TEST_REDIRECT_URI }),
  });
  return (await token.json()) as TokenJson;
}

/** POSTs JSON with a bearer token; returns status and parsed body. */
export async function callApi(emu: Emulator, path: string, accessToken: string, body?: unknown): Promise<{ status: number; body: { data?: Record<string, unknown>; error: { code: string; message: string } }; text: string }> {
  const res = await emu.app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json; charset=UTF-8' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as never, text };
}
