/** Reads of the `shares` read model. Ownership is part of every query: foreign = not found. */
import { validationFailed } from '@tiktok-share/platform/errors.ts';
import { sql } from 'kysely';
import type { AnyDb } from '@tiktok-share/eventstore/types.ts';
import type { ShareView } from '@tiktok-share/contracts/rest.ts';

interface Row {
  share_id: string; user_id: string; account_id: string; mode: 'direct' | 'draft'; status: ShareView['status'];
  title: string; privacy_level: ShareView['privacyLevel']; is_aigc: boolean; publish_id: string | null;
  video_size: string | null; uploaded_bytes: string; chunks_uploaded: number; total_chunks: number | null;
  post_ids: string[]; failure: ShareView['failure']; created_at: Date | string; updated_at: Date | string;
}

const iso = (v: Date | string) => (v instanceof Date ? v : new Date(v)).toISOString();

export function toShareView(r: Row): ShareView & { isAigc: boolean } {
  return {
    shareId: r.share_id, accountId: r.account_id, mode: r.mode, status: r.status, title: r.title, privacyLevel: r.privacy_level,
    isAigc: r.is_aigc, publishId: r.publish_id, videoSize: r.video_size === null ? null : Number(r.video_size),
    uploadedBytes: Number(r.uploaded_bytes), chunksUploaded: r.chunks_uploaded, totalChunks: r.total_chunks,
    postIds: r.post_ids, failure: r.failure, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
  };
}

export async function findShareView(db: AnyDb, schema: string, userId: string, shareId: string): Promise<(ShareView & { isAigc: boolean }) | null> {
  const { rows } = await sql<Row>`select * from ${sql.id(schema)}.shares where share_id = ${shareId} and user_id = ${userId}`.execute(db);
  return rows[0] ? toShareView(rows[0]) : null;
}

/** Opaque cursor: base64url of `createdAt|shareId` of the last item (keyset pagination, newest first). */
export function encodeCursor(v: { createdAt: string; shareId: string }): string {
  return Buffer.from(`${v.createdAt}|${v.shareId}`).toString('base64url');
}
export function decodeCursor(c: string): { createdAt: string; shareId: string } | null {
  const [createdAt, shareId] = Buffer.from(c, 'base64url').toString().split('|');
  if (!createdAt || !shareId || Number.isNaN(Date.parse(createdAt))) return null;
  return { createdAt, shareId };
}

export async function listShareViews(
  db: AnyDb, schema: string,
  q: { userId: string; accountId?: string | undefined; status?: string | undefined; limit: number; cursor?: string | undefined },
): Promise<{ items: Array<ShareView & { isAigc: boolean }>; nextCursor: string | null }> {
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  if (q.cursor && !after) throw validationFailed([{ path: 'cursor', message: 'unknown cursor' }]);
  const { rows } = await sql<Row>`select * from ${sql.id(schema)}.shares
    where user_id = ${q.userId}
      ${q.accountId ? sql`and account_id = ${q.accountId}` : sql``}
      ${q.status ? sql`and status = ${q.status}` : sql``}
      ${after ? sql`and (created_at, share_id) < (${after.createdAt}::timestamptz, ${after.shareId})` : sql``}
    order by created_at desc, share_id desc limit ${q.limit + 1}`.execute(db);
  const items = rows.slice(0, q.limit).map(toShareView);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null };
}
