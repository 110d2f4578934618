/** Defaults of the port's optional settings, shared by both adapters so they behave alike. */
export const DEFAULT_MAX_DELIVER = 10;
export const DEFAULT_RETRY_DELAY_MS = 1000;
export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
