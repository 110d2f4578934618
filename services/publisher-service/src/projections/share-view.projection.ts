/**
 * Inline projections of the share stream, run in the append transaction:
 *  - `share-view`: the `shares` read model behind shares.get / shares.list (DESIGN §5 share view);
 *  - `share-work`: one `share_work` row per unfinished share, which the workers lease.
 * Both are deterministic in the events (times come from `occurredAt`), so a rebuild by replay
 * yields the same rows.
 */
import { sql } from 'kysely';
import type { AnyTrx, InlineProjection, StoredEvent } from '@tiktok-share/eventstore/types.ts';
import type { ShareEvent } from '../domain/share.ts';

type Stored = StoredEvent & ShareEvent;

export function shareViewProjection(schema: string): InlineProjection {
  const t = sql`${sql.id(schema)}.shares`;
  return {
    name: 'share-view',
    handles: ['ShareRequested', 'UploadInitialized', 'ChunkUploaded', 'UploadAbandoned', 'PublishCompleted', 'PostIdsDiscovered', 'PublishFailed'],
    async apply(trx, events) {
      for (const e of events as Stored[]) await applyView(trx, t, e);
    },
    async truncate(trx) {
      await sql`delete from ${t}`.execute(trx);
    },
    shadow: { tables: ['shares'], forSchema: shareViewProjection },
  };
}

async function applyView(trx: AnyTrx, t: ReturnType<typeof sql>, e: Stored): Promise<void> {
  const at = e.occurredAt;
  switch (e.type) {
    case 'ShareRequested': {
      const d = e.data;
      await sql`insert into ${t} (share_id, user_id, account_id, mode, status, title, privacy_level, is_aigc, video_size, created_at, updated_at)
        values (${d.shareId}, ${d.userId}, ${d.accountId}, ${d.mode}, 'requested', ${d.postSettings.title}, ${d.postSettings.privacyLevel},
          ${d.postSettings.isAigc}, ${d.video.size ?? null}, ${at}, ${at})
        on conflict (share_id) do nothing`.execute(trx);
      return;
    }
    case 'UploadInitialized': {
      const d = e.data;
      const status = d.source === 'PULL_FROM_URL' ? 'processing' : 'uploading';
      await sql`update ${t} set status = ${status}, publish_id = ${d.publishId}, video_size = ${d.videoSize}, total_chunks = ${d.totalChunks},
        chunks_uploaded = 0, uploaded_bytes = 0, updated_at = ${at} where share_id = ${d.shareId}`.execute(trx);
      return;
    }
    case 'ChunkUploaded': {
      const d = e.data;
      const status = d.chunkIndex + 1 >= d.totalChunks ? 'processing' : 'uploading';
      await sql`update ${t} set status = ${status}, chunks_uploaded = ${d.chunkIndex + 1}, uploaded_bytes = ${d.uploadedBytes}, updated_at = ${at}
        where share_id = ${d.shareId}`.execute(trx);
      return;
    }
    case 'UploadAbandoned':
      await sql`update ${t} set status = 'requested', publish_id = null, chunks_uploaded = 0, uploaded_bytes = 0, updated_at = ${at}
        where share_id = ${e.data.shareId}`.execute(trx);
      return;
    case 'PublishCompleted': {
      const d = e.data;
      await sql`update ${t} set status = ${d.mode === 'draft' ? 'in_inbox' : 'published'}, publish_id = ${d.publishId},
        post_ids = ${JSON.stringify(d.postIds)}::jsonb, updated_at = ${at} where share_id = ${d.shareId}`.execute(trx);
      return;
    }
    case 'PostIdsDiscovered':
      await sql`update ${t} set post_ids = post_ids || ${JSON.stringify(e.data.postIds)}::jsonb, updated_at = ${at}
        where share_id = ${e.data.shareId}`.execute(trx);
      return;
    case 'PublishFailed': {
      const d = e.data;
      const failure = { code: d.code, message: d.message, retryable: d.retryable };
      await sql`update ${t} set status = 'failed', failure = ${JSON.stringify(failure)}::jsonb, updated_at = ${at}
        where share_id = ${d.shareId}`.execute(trx);
      return;
    }
    default:
      return;
  }
}

export function shareWorkProjection(schema: string): InlineProjection {
  const t = sql`${sql.id(schema)}.share_work`;
  return {
    name: 'share-work',
    handles: ['ShareRequested', 'PublishCompleted', 'PublishFailed'],
    async apply(trx, events) {
      for (const e of events as Stored[]) {
        // created_at from the event (claim order = request order), so a rebuild keeps the order.
        if (e.type === 'ShareRequested') await sql`insert into ${t} (share_id, created_at) values (${e.data.shareId}, ${e.occurredAt}) on conflict do nothing`.execute(trx);
        else await sql`delete from ${t} where share_id = ${e.data.shareId}`.execute(trx);
      }
    },
    // Rows holding live worker state (a lease not run out, a retry delay not passed) are not
    // derived from events: dropping them would take a share from the worker running it (another
    // could claim it) or skip its back-off. Keep them; the replay's insert leaves them alone
    // (on conflict do nothing) and a terminal event still deletes them. Every other row is rebuilt.
    async truncate(trx) {
      await sql`delete from ${t} where lease_until <= now() and not_before <= now()`.execute(trx);
    },
    // Shadow rebuild: same rule as truncate — the rebuilt rows take over the live worker state of
    // their share (the swap holds the live table exclusively, so no claim slips in between).
    shadow: {
      tables: ['share_work'],
      forSchema: shareWorkProjection,
      async carryOver(trx, live, shadow) {
        await sql`update ${sql.id(shadow)}.share_work w set lease_owner = l.lease_owner, lease_until = l.lease_until, not_before = l.not_before
          from ${sql.id(live)}.share_work l where l.share_id = w.share_id and (l.lease_until > now() or l.not_before > now())`.execute(trx);
      },
    },
  };
}
