/** Domain errors of the share aggregate; `code` is stable (logs, tests, RPC errors). */
export type ShareErrorCode =
  | 'share_already_exists'
  | 'share_not_found'
  | 'upload_already_initialized'
  | 'not_uploading'
  | 'chunk_out_of_order'
  | 'publish_id_mismatch'
  | 'reinit_not_allowed'
  | 'reinit_limit_reached'
  | 'share_not_started';

export class ShareError extends Error {
  constructor(readonly code: ShareErrorCode, message: string) {
    super(message);
    this.name = 'ShareError';
  }
}
