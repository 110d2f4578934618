/** Domain errors of the account aggregate; `code` is stable and reaches API clients. */
export class AccountError extends Error {
  constructor(
    readonly code: 'account_not_found' | 'account_not_connected' | 'account_owner_mismatch',
    message: string,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}
