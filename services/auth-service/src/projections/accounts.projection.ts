/**
 * Inline projection `accounts`: runs in the append transaction, so a reader that holds the
 * open_id lock sees exactly the committed ownership. Disposable: `truncate` + replay rebuilds it.
 */
import type { AnyTrx, InlineProjection, StoredEvent } from '@tiktok-share/eventstore/types.ts';
import { ACCOUNT_EVENT_TYPES, statusAfterDisconnect, type AccountEvent } from '../domain/account.ts';

export function accountsProjection(schema: string): InlineProjection {
  return {
    name: 'accounts',
    handles: ACCOUNT_EVENT_TYPES,
    async apply(trx, events) {
      for (const e of events) await applyOne(trx, schema, e);
    },
    async truncate(trx) {
      await trx.withSchema(schema).deleteFrom('accounts').execute();
    },
    shadow: { tables: ['accounts'], forSchema: accountsProjection },
  };
}

async function applyOne(trx: AnyTrx, schema: string, stored: StoredEvent): Promise<void> {
  const event = { type: stored.type, data: stored.data } as AccountEvent;
  const t = trx.withSchema(schema);
  switch (event.type) {
    case 'AccountConnected': {
      const d = event.data;
      const row = {
        user_id: d.userId,
        open_id: d.openId,
        display_name: d.displayName,
        avatar_url: d.avatarUrl,
        scopes: JSON.stringify(d.scopes),
        status: 'connected',
        reason: null,
        connected_at: d.connectedAt ?? stored.occurredAt,
        access_expires_at: d.accessExpiresAt ?? null,
        refresh_expires_at: d.refreshExpiresAt ?? null,
        updated_at: stored.occurredAt,
      };
      await t
        .insertInto('accounts')
        .values({ account_id: d.accountId, ...row })
        .onConflict((oc) => oc.column('account_id').doUpdateSet(row))
        .execute();
      return;
    }
    case 'AccountTokenRefreshed':
      await t
        .updateTable('accounts')
        .set({ access_expires_at: event.data.accessExpiresAt, refresh_expires_at: event.data.refreshExpiresAt, updated_at: stored.occurredAt })
        .where('account_id', '=', event.data.accountId)
        .execute();
      return;
    case 'AccountDisconnected':
      await t
        .updateTable('accounts')
        .set({ status: statusAfterDisconnect(event.data.reason), reason: event.data.reason, updated_at: stored.occurredAt })
        .where('account_id', '=', event.data.accountId)
        .execute();
      return;
    default: {
      const never: never = event;
      return never;
    }
  }
}
