/**
 * Webhook sender: TikTok's envelope, `TikTok-Signature` over the raw body, retried on non-200
 * with exponential backoff, bounded by `webhookAttempts` (TikTok retries for 72 h; tests can't).
 */
import { signWebhook } from '@tiktok-share/tiktok';
import { request } from 'undici';
import { schedule, type EmulatorState, type WebhookRecord } from './state.ts';

/** Queues one webhook; delivery happens in the background. */
export function sendWebhook(state: EmulatorState, event: string, openId: string, content: Record<string, unknown>): WebhookRecord {
  const record: WebhookRecord = { event, openId, content, attempts: 0, delivered: false, lastStatus: null };
  state.webhooks.push(record);
  const createTime = Math.floor(state.now() / 1000);
  const body = JSON.stringify({
    client_key: state.settings.clientKey,
    event,
    create_time: createTime,
    user_openid: openId,
    content: JSON.stringify(content), // a string holding JSON: receivers parse twice
  });
  if (state.settings.webhookUrl) void attempt(state, state.settings.webhookUrl, record, body);
  return record;
}

async function attempt(state: EmulatorState, url: string, record: WebhookRecord, body: string): Promise<void> {
  if (state.closed) return;
  record.attempts += 1;
  try {
    const signature = signWebhook(state.settings.clientSecret, body, Math.floor(state.now() / 1000));
    const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'tiktok-signature': signature }, body });
    await res.body.dump();
    record.lastStatus = res.statusCode;
    record.delivered = res.statusCode === 200;
  } catch {
    record.lastStatus = 0;
  }
  if (!record.delivered && record.attempts < state.settings.webhookAttempts) {
    schedule(state, state.settings.webhookBaseDelayMs * 2 ** (record.attempts - 1), () => void attempt(state, url, record, body));
  }
}
