/**
 * The delivery policy both adapters share, so they cannot drift apart:
 * - a message delivered more than `maxDeliver` times (possible on NATS when ack_wait expired on
 *   the last attempt) is terminated without running the handler;
 * - the handler returning without settling the message acks it;
 * - the handler throwing naks with `retryDelayMs`, or terminates when this was the last allowed
 *   delivery (the poison message must not block the consumer, and is logged for an operator).
 */
import type { BusMessage, ConsumeOptions } from './port.ts';
import type { BusLogger } from './logger.ts';

import { DEFAULT_MAX_DELIVER, DEFAULT_RETRY_DELAY_MS } from './defaults.ts';

/** A message whose ack/nak/term is applied once; later calls are ignored. */
export interface Settleable extends BusMessage {
  readonly settled: boolean;
}

/** Wraps raw ack/nak/term so only the first settlement counts. */
export function settleOnce(msg: BusMessage): Settleable {
  let settled = false;
  const once = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A): void => {
    if (settled) return;
    settled = true;
    fn(...args);
  };
  return {
    subject: msg.subject,
    data: msg.data,
    headers: msg.headers,
    deliveryCount: msg.deliveryCount,
    seq: msg.seq,
    get settled() { return settled; },
    ack: once(() => msg.ack()),
    nak: once((delayMs?: number) => msg.nak(delayMs)),
    term: once((reason?: string) => msg.term(reason)),
  };
}

/** Runs the handler for one delivery and settles the message according to the policy above. */
export async function dispatch(raw: BusMessage, opts: ConsumeOptions, logger: BusLogger): Promise<void> {
  const msg = settleOnce(raw);
  const maxDeliver = opts.maxDeliver ?? DEFAULT_MAX_DELIVER;
  const where = { durable: opts.durable, subject: msg.subject, seq: msg.seq, deliveryCount: msg.deliveryCount };
  if (msg.deliveryCount > maxDeliver) {
    logger.error(where, 'message exceeded max deliveries; terminated');
    msg.term('max_deliver exceeded');
    return;
  }
  try {
    await opts.handler(msg);
    if (!msg.settled) msg.ack();
  } catch (err) {
    if (msg.settled) {
      logger.error({ ...where, err }, 'handler threw after settling the message');
    } else if (msg.deliveryCount >= maxDeliver) {
      logger.error({ ...where, err }, 'poison message: handler failed on the last allowed delivery; terminated');
      msg.term('max_deliver reached');
    } else {
      logger.warn({ ...where, err }, 'handler failed; message will be redelivered');
      msg.nak(opts.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS);
    }
  }
}
