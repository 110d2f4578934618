import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';

/** NATS headers → plain record (first value of each key). */
export function fromNatsHeaders(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const [k, values] of h) {
    const v = values[0];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Plain record → NATS headers; undefined when empty (saves bytes on the wire). */
export function toNatsHeaders(record: Record<string, string> | undefined): MsgHdrs | undefined {
  if (!record || Object.keys(record).length === 0) return undefined;
  const h = natsHeaders();
  for (const [k, v] of Object.entries(record)) h.set(k, v);
  return h;
}
