/**
 * The publish state machine (reference §2.5, §8):
 *   FILE_UPLOAD:   PROCESSING_UPLOAD --last chunk--> (processing delay) --> PUBLISH_COMPLETE | FAILED
 *   PULL_FROM_URL: PROCESSING_DOWNLOAD --(delay)--> same
 *   inbox:         ... --> SEND_TO_USER_INBOX --user posts (control API)--> PUBLISH_COMPLETE
 * Post ids only for public posts, unquoted int64 beyond 2^53.
 */
import { schedule, type EmulatorState, type Publish } from './state.ts';
import { sendWebhook } from './webhooks.ts';

function publishType(p: Publish): string {
  return p.mode === 'inbox' ? 'INBOX_SHARE' : 'DIRECT_PUBLISH';
}

function isFinal(p: Publish): boolean {
  return p.status === 'FAILED' || p.status === 'PUBLISH_COMPLETE';
}

/** Starts processing after the last chunk or the (simulated) download start. */
export function startProcessing(state: EmulatorState, p: Publish): void {
  const finish = () => finishProcessing(state, p);
  if (state.settings.processingDelayMs <= 0) finish();
  else schedule(state, state.settings.processingDelayMs, finish);
}

function takeFailNext(state: EmulatorState, openId: string): string | null {
  const i = state.failNext.findIndex((f) => f.openId === null || f.openId === openId);
  if (i < 0) return null;
  const [f] = state.failNext.splice(i, 1);
  return f?.failReason ?? null;
}

function finishProcessing(state: EmulatorState, p: Publish): void {
  if (isFinal(p)) return; // cancelled or failed meanwhile
  const failReason = takeFailNext(state, p.openId);
  if (failReason) {
    failPublish(state, p, failReason);
    return;
  }
  if (p.mode === 'inbox') {
    p.status = 'SEND_TO_USER_INBOX';
    sendWebhook(state, 'post.publish.inbox_delivered', p.openId, { publish_id: p.publishId, publish_type: publishType(p) });
    return;
  }
  completePublish(state, p, p.privacyLevel === 'PUBLIC_TO_EVERYONE');
}

function completePublish(state: EmulatorState, p: Publish, isPublic: boolean): void {
  p.status = 'PUBLISH_COMPLETE';
  sendWebhook(state, 'post.publish.complete', p.openId, { publish_id: p.publishId, publish_type: publishType(p) });
  if (!isPublic) return;
  const postId = state.nextPostId++;
  p.postIds.push(postId);
  sendWebhook(state, 'post.publish.publicly_available', p.openId, { publish_id: p.publishId, post_id: postId.toString(), publish_type: publishType(p) });
}

/** Ends a publish as FAILED with a fail_reason and tells the webhook. No-op when already final. */
export function failPublish(state: EmulatorState, p: Publish, failReason: string): boolean {
  if (isFinal(p)) return false;
  p.status = 'FAILED';
  p.failReason = failReason;
  sendWebhook(state, 'post.publish.failed', p.openId, { publish_id: p.publishId, reason: failReason, publish_type: publishType(p) });
  return true;
}

/** The creator posts a delivered draft from the TikTok app (public post, so a post id appears). */
export function userPostsDraft(state: EmulatorState, p: Publish): boolean {
  if (p.mode !== 'inbox' || p.status !== 'SEND_TO_USER_INBOX') return false;
  completePublish(state, p, true);
  return true;
}

/** status/fetch `data` as raw JSON text: post ids must stay unquoted integers. */
export function statusDataJson(p: Publish): string {
  const fields: string[] = [`"status":${JSON.stringify(p.status)}`];
  if (p.failReason) fields.push(`"fail_reason":${JSON.stringify(p.failReason)}`);
  fields.push(`"publicaly_available_post_id":[${p.postIds.map((id) => id.toString()).join(',')}]`);
  if (p.source === 'FILE_UPLOAD') fields.push(`"uploaded_bytes":${p.bytesReceived}`);
  else fields.push(`"downloaded_bytes":${p.status === 'PROCESSING_DOWNLOAD' ? 0 : p.videoSize}`);
  return `{${fields.join(',')}}`;
}
