/**
 * Keeps a delivery item inside DynamoDB's 400 KB item limit however many attempts it collects
 * (redeliveries add rounds): the oldest attempts' response bodies are dropped first, then the
 * oldest attempts themselves. The newest attempts always stay whole.
 */
import type { Delivery } from '../../domain/types';

/**
 * Budget for one item, as measured below (the delivery's JSON text, which over-counts the
 * stored item: strings are stored unescaped). DynamoDB's limit is 400 KB = 409,600 bytes.
 *
 * The parts no trimming can shrink are bounded at configuration time (the event is not part of
 * a delivery item: it is stored once, with the event's record):
 * - the template ≤ 32,768 bytes of JSON (MAX_TEMPLATE_BYTES, automations.ts);
 * - ids, URL (≤ 2,048 characters), times, index keys: ≤ ~8 KB.
 * That is ≤ ~41 KB. The newest attempt is always kept whole: ≤ 8 KiB of response body
 * (≤ ~24 KB as UTF-8 when the answer is not UTF-8; redaction never makes it longer) plus a
 * short error: ≤ ~26 KB. So an item over the budget after trimming has only that one attempt
 * and is at most ~67 KB; one under the budget is under 350 KB. Both are inside 409,600 bytes
 * with room for what JSON does not count (attribute overheads).
 */
export const ITEM_BUDGET_BYTES = 350_000;
/** At most this many attempts are kept per delivery. */
export const MAX_STORED_ATTEMPTS = 50;

/**
 * Items with this many attempts or fewer fit without measuring: ≤ ~41 KB of fixed parts plus
 * 12 × ≤ ~26 KB is ≤ ~353 KB, under 409,600 bytes. Measuring means a full JSON.stringify of the
 * delivery on every save, and nearly every delivery ends within a few attempts.
 */
export const ATTEMPTS_THAT_ALWAYS_FIT = 12;

function size(delivery: Delivery): number {
  return Buffer.byteLength(JSON.stringify(delivery));
}

/** Returns the delivery trimmed to fit (the input is not changed). */
export function fitDeliveryItem(delivery: Delivery): Delivery {
  if (delivery.attempts.length <= ATTEMPTS_THAT_ALWAYS_FIT) return delivery;
  let attempts = delivery.attempts.slice(-MAX_STORED_ATTEMPTS);
  let fitted = { ...delivery, attempts };
  for (let index = 0; size(fitted) > ITEM_BUDGET_BYTES && index < attempts.length - 1; index++) {
    attempts = attempts.map((attempt, position) => (position === index ? { ...attempt, responseBody: '' } : attempt));
    fitted = { ...delivery, attempts };
  }
  while (size(fitted) > ITEM_BUDGET_BYTES && attempts.length > 1) {
    attempts = attempts.slice(1);
    fitted = { ...delivery, attempts };
  }
  return fitted;
}
