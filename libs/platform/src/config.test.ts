import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseKeyList, splitList } from './config.ts';

const key = () => randomBytes(32).toString('base64url');

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected ConfigError');
}

describe('loadConfig', () => {
  it('applies the DESIGN §4 defaults and derived values', () => {
    const c = loadConfig({ PORT: '9000' });
    expect(c.port).toBe(9000);
    expect(c.publicBaseUrl).toBe('http://127.0.0.1:9000');
    expect(c.tiktok.redirectUri).toBe('http://127.0.0.1:9000/api/v1/tiktok/auth/callback');
    expect(c.tiktok.webhookUrl).toBe('http://127.0.0.1:9000/api/v1/tiktok/webhooks');
    expect(c.tiktok).toMatchObject({
      apiBaseUrl: 'https://open.tiktokapis.com', authUrl: 'https://www.tiktok.com/v2/auth/authorize/',
      scopes: ['user.info.basic', 'video.publish', 'video.upload'], dailyPostLimit: 15, emulatorPort: 8090,
      useEmulator: true, appAudited: true, verifiedUrlPrefixes: [],
    });
    expect(c).toMatchObject({ databaseUrl: undefined, natsServers: [], tokenEncryptionKeys: [], logLevel: 'info' });
    expect(loadConfig({}).port).toBe(8080);
  });

  it('uses the real TikTok, unaudited, when a client key is set', () => {
    const c = loadConfig({ TIKTOK_CLIENT_KEY: 'ck', TIKTOK_CLIENT_SECRET: 'cs', PUBLIC_BASE_URL: 'https://share.example.com/' });
    expect(c.tiktok).toMatchObject({ useEmulator: false, appAudited: false, redirectUri: 'https://share.example.com/api/v1/tiktok/auth/callback' });
    expect(loadConfig({ TIKTOK_CLIENT_KEY: 'ck', TIKTOK_APP_AUDITED: 'true' }).tiktok.appAudited).toBe(true);
  });

  it('parses comma lists and key lists', () => {
    const [k1, k2] = [key(), key()];
    const c = loadConfig({
      NATS_URL: 'nats://a:4222, nats://b:4222,', TOKEN_ENCRYPTION_KEY: `${k1},${k2}`,
      TIKTOK_VERIFIED_URL_PREFIXES: 'https://cdn.example.com/v/', MEDIA_URL_ALLOWLIST: 'CDN.example.com,media.example.org', TIKTOK_SCOPES: 'a,b',
    });
    expect(c.natsServers).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(c.tokenEncryptionKeys.map((k) => Buffer.from(k).toString('base64url'))).toEqual([k1, k2]);
    expect(c.media.urlAllowlist).toEqual(['cdn.example.com', 'media.example.org']);
    expect(c.tiktok.scopes).toEqual(['a', 'b']);
    expect(splitList(' ,x , ,y')).toEqual(['x', 'y']);
    expect(() => parseKeyList(randomBytes(16).toString('base64url'))).toThrow(/32 bytes/);
  });

  it('lets the composition root supply defaults without switching the emulator decision', () => {
    const c = loadConfig({}, { TIKTOK_API_BASE_URL: 'http://127.0.0.1:8090', TIKTOK_CLIENT_KEY: 'emu' });
    expect(c.tiktok).toMatchObject({ apiBaseUrl: 'http://127.0.0.1:8090', clientKey: 'emu', useEmulator: true });
    expect(loadConfig({ LOG_LEVEL: 'debug' }, { LOG_LEVEL: 'warn' }).logLevel).toBe('debug');
  });

  it('fails fast listing every bad variable, without echoing values', () => {
    const secret = 'short-secret';
    const err = configError(() =>
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', GATEWAY_JWKS_URL: 'not a url', TIKTOK_DAILY_POST_LIMIT: '0', GATEWAY_JWT_SECRET: secret }),
    );
    expect(err.issues.map((i) => i.variable).sort()).toEqual(['GATEWAY_JWKS_URL', 'GATEWAY_JWT_SECRET', 'LOG_LEVEL', 'PORT', 'TIKTOK_DAILY_POST_LIMIT']);
    expect(err.message).toContain('PORT: must be a port number');
    expect(err.message).not.toContain(secret);
    const keyErr = configError(() => loadConfig({ TOKEN_ENCRYPTION_KEY: `${key()},tooshort` }));
    expect(keyErr.message).toMatch(/TOKEN_ENCRYPTION_KEY: key #2/);
    expect(keyErr.message).not.toContain('tooshort');
  });
});
