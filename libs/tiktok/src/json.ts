/**
 * Lossless JSON reading: TikTok sends post ids as unquoted integers beyond 2^53
 * (`"publicaly_available_post_id":[7300000000000000001]`), which `JSON.parse` would round.
 * Numbers that are not exactly representable stay strings; callers turn ids into strings anyway.
 */
import { isSafeNumber, parse } from 'lossless-json';

/**
 * Parses JSON keeping unsafe numbers as their exact decimal text.
 * @example parseJsonLossless('{"id":7300000000000000001}') // → { id: '7300000000000000001' }
 */
export function parseJsonLossless(text: string): unknown {
  return parse(text, null, (value: string) => (isSafeNumber(value) ? Number(value) : value));
}
