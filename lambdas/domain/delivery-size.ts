/**
 * Keeps a delivery record inside DynamoDB's 400 KB item limit however many attempts it
 * collects (redeliveries add rounds): the oldest attempts' response bodies are dropped
 * first, then the oldest attempts themselves. The newest attempts always stay whole.
 */
import type { Delivery } from './types';

/** Budget for one record, leaving room for attribute names and index keys. */
export const ITEM_BUDGET_BYTES = 350_000;
/** At most this many attempts are kept per delivery. */
export const MAX_STORED_ATTEMPTS = 50;

function size(delivery: Delivery): number {
  return Buffer.byteLength(JSON.stringify(delivery));
}

/** Returns the delivery trimmed to fit (the input is not changed). */
export function fitDeliveryItem(delivery: Delivery): Delivery {
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
