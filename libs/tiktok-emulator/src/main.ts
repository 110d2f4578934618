/** `npm run start:tiktok-emulator`: the emulator alone, configured from the environment. */
import { startEmulator } from './server.ts';

const env = process.env;
const port = Number(env.TIKTOK_EMULATOR_PORT ?? 8090);
const emulator = await startEmulator({
  port,
  hostname: env.TIKTOK_EMULATOR_HOST ?? '127.0.0.1',
  clientKey: env.TIKTOK_CLIENT_KEY ?? 'emulator-client-key',
  clientSecret: env.TIKTOK_CLIENT_SECRET ?? 'emulator-client-secret',
  redirectUris: env.TIKTOK_REDIRECT_URI ? [env.TIKTOK_REDIRECT_URI] : [],
  ...(env.TIKTOK_WEBHOOK_URL ? { webhookUrl: env.TIKTOK_WEBHOOK_URL } : {}),
  ...(env.TIKTOK_EMULATOR_PUBLIC_URL ? { baseUrl: env.TIKTOK_EMULATOR_PUBLIC_URL } : {}),
  appAudited: (env.TIKTOK_APP_AUDITED ?? 'true') !== 'false',
  verifiedUrlPrefixes: (env.TIKTOK_VERIFIED_URL_PREFIXES ?? '').split(',').filter(Boolean),
  ...(env.TIKTOK_DAILY_POST_LIMIT ? { dailyPostLimit: Number(env.TIKTOK_DAILY_POST_LIMIT) } : {}),
});
process.stdout.write(`TikTok emulator listening on ${emulator.url}\n`);
let stopping = false;
// `on`, not `once`: under tsx a group kill delivers the signal twice (direct and relayed).
const stop = () => {
  if (stopping) return;
  stopping = true;
  void emulator.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
