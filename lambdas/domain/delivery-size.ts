/**
 * Keeps a delivery record inside DynamoDB's 400 KB item limit however many attempts it
 * collects (redeliveries add rounds): the oldest attempts' response bodies are dropped
 * first, then the oldest attempts themselves. The newest attempts always stay whole.
 */
import type { Delivery } from './types';

/**
 * Budget for one record, as measured below (its JSON text, which over-counts the stored item:
 * strings are stored unescaped). DynamoDB's limit is 400 KB = 409,600 bytes.
 *
 * The parts no trimming can shrink are bounded at ingest and configuration time:
 * - the event (`eventJson`): metadata ≤ 65,536 bytes of JSON (schemas.ts) plus ≤ 3,712
 *   characters of text fields, ≤ 6 bytes each once JSON-escaped: ≤ ~88 KB;
 * - the redacted payload ≤ 204,800 bytes (MAX_PAYLOAD_BYTES, events.ts);
 * - the template ≤ 32,768 bytes of JSON (MAX_TEMPLATE_BYTES, automations.ts);
 * - ids, URL (≤ 2,048 characters), times, index keys: ≤ ~8 KB.
 * That is ≤ ~334 KB. The newest attempt is always kept whole: ≤ 8 KiB of response body
 * (≤ ~24 KB as UTF-8 when the answer is not UTF-8; redaction never makes it longer) plus a
 * short error: ≤ ~26 KB. So a record that still exceeds the budget after trimming has only
 * that one attempt and is at most ~360 KB stored; one under the budget is under 350 KB. Both
 * are inside 409,600 bytes with room for what JSON does not count (attribute overheads).
 * A larger budget would eat that margin; a smaller one would only keep fewer old attempts.
 */
export const ITEM_BUDGET_BYTES = 350_000;
/** At most this many attempts are kept per delivery. */
export const MAX_STORED_ATTEMPTS = 50;

/**
 * Records with this many attempts or fewer fit without measuring: ≤ ~334 KB of fixed parts
 * plus 2 × ≤ ~26 KB per attempt is ≤ ~386 KB, under 409,600 bytes. Measuring means a full
 * JSON.stringify of the record on every save, which is most deliveries' only attempt.
 */
export const ATTEMPTS_THAT_ALWAYS_FIT = 2;

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
