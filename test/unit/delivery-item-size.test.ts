/**
 * The largest delivery item the limits allow still fits in DynamoDB's 400 KB item
 * (lambdas/adapters/dynamo/delivery-item-size.ts): a template at the configuration limit, the
 * longest ids and URL, and attempts with the largest bodies a sender can return. Sizes follow
 * DynamoDB's rules (strings as UTF-8 bytes, attribute names count), for the item as
 * delivery-store.ts writes it (template as JSON text). The event is not in the item: it is
 * stored once, with the event's record.
 */
import { ATTEMPTS_THAT_ALWAYS_FIT, ITEM_BUDGET_BYTES, MAX_STORED_ATTEMPTS, fitDeliveryItem } from '../../lambdas/adapters/dynamo/delivery-item-size';
import { MAX_TEMPLATE_BYTES } from '../../lambdas/domain/services/automations';
import type { Attempt, Delivery } from '../../lambdas/domain/types';

const DYNAMODB_ITEM_LIMIT = 400 * 1024;

/** DynamoDB's size of a value (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html). */
function valueSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return 21; // the most a number can take
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, item) => sum + 1 + valueSize(item), 0);
  return 3 + itemSize(value as Record<string, unknown>) + Object.keys(value as object).length;
}

function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item)
    .filter(([, value]) => value !== undefined)
    .reduce((sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + valueSize(value), 0);
}

/** The item as DynamoDeliveryStore writes it (toItem and the update), while the delivery is still open. */
function storedItem(delivery: Delivery): Record<string, unknown> {
  const { template, ...rest } = delivery;
  return {
    ...rest,
    createdSk: `${delivery.createdAt}#${delivery.id}`,
    templateJson: template === undefined ? undefined : JSON.stringify(template),
    expiresAt: 1_900_000_000,
    dueShard: 'DUE#3',
    dueAt: delivery.nextAttemptAt,
    claimUntil: 1_735_689_625_000,
  };
}

/** A string of `bytes` bytes of JSON text once JSON-escaped (control characters: 6 bytes each). */
const escaped = (bytes: number) => '\u0001'.repeat(Math.floor(bytes / 6)) + 'x'.repeat(bytes % 6);

function attempt(number: number, responseBody: string): Attempt {
  return { number, at: '2025-01-01T00:00:00.000Z', status: 500, durationMs: 14999, error: `HTTP 500 ${'e'.repeat(300)}`, responseBody };
}

function worstDelivery(attempts: Attempt[]): Delivery {
  const at = '2025-01-01T00:00:00.000Z';
  const template = { t: escaped(MAX_TEMPLATE_BYTES - Buffer.byteLength(JSON.stringify({ t: '' }))) };
  expect(Buffer.byteLength(JSON.stringify(template))).toBe(MAX_TEMPLATE_BYTES);
  return {
    id: `dlv_${'f'.repeat(32)}`, team: 't'.repeat(64), eventId: 'e'.repeat(128), automationId: `au_${'a'.repeat(32)}`, webhookId: `wh_${'w'.repeat(32)}`,
    url: `https://${'\u00e9'.repeat(60)}.example.com/${'\u00e9'.repeat(1960)}`, status: 'retrying', attempts,
    attemptCount: attempts.length, roundAttempts: attempts.length, nextAttemptAt: at, createdAt: at, updatedAt: at,
    template,
  };
}

test.each([
  ['response bodies of 8 KiB of invalid UTF-8 (each byte a 3-byte U+FFFD)', '\ufffd'.repeat(8192)],
  ['response bodies of 8 KiB of control characters (6 bytes each in JSON)', '\u0001'.repeat(8192)],
  ['response bodies of 8 KiB of ASCII', 'r'.repeat(8192)],
])('the worst-case record fits in a DynamoDB item, with %s', (_, body) => {
  const attempts = Array.from({ length: 60 }, (__, index) => attempt(index + 1, body));
  const fitted = fitDeliveryItem(worstDelivery(attempts));
  expect(fitted.attempts.length).toBeGreaterThanOrEqual(1);
  expect(fitted.attempts.at(-1)).toEqual(attempts.at(-1)); // the newest attempt stays whole
  expect(itemSize(storedItem(fitted))).toBeLessThan(DYNAMODB_ITEM_LIMIT);
});

test('a record with small parts keeps up to 50 attempts', () => {
  const at = '2025-01-01T00:00:00.000Z';
  const small = { ...worstDelivery([]), template: undefined };
  const attempts = Array.from({ length: 60 }, (_, index) => ({ ...attempt(index + 1, 'ok'), at }));
  const fitted = fitDeliveryItem({ ...small, attempts });
  expect(fitted.attempts.map((a: Attempt) => a.number)).toEqual(attempts.slice(-50).map((a) => a.number));
  expect(itemSize(storedItem(fitted))).toBeLessThan(DYNAMODB_ITEM_LIMIT);
});

test.each([
  ['invalid UTF-8', '\ufffd'.repeat(8192)],
  ['control characters', '\u0001'.repeat(8192)],
])(`the worst-case record with ${ATTEMPTS_THAT_ALWAYS_FIT} attempts (%s) fits unmeasured`, (_, body) => {
  const attempts = Array.from({ length: ATTEMPTS_THAT_ALWAYS_FIT }, (__, index) => attempt(index + 1, body));
  const delivery = worstDelivery(attempts);
  expect(fitDeliveryItem(delivery)).toBe(delivery);
  expect(itemSize(storedItem(delivery))).toBeLessThan(DYNAMODB_ITEM_LIMIT);
});

test('many rounds of attempts with large answers keep the record under the budget; the newest attempts stay whole', () => {
  const body = (n: number) => `${n}:`.padEnd(8192, 'x');
  let delivery = worstDelivery([]);
  // Each save keeps what the previous one stored and adds one attempt, as the worker does.
  for (let number = 1; number <= 120; number++) {
    delivery = fitDeliveryItem({ ...delivery, attempts: [...delivery.attempts, attempt(number, body(number))], attemptCount: number });
  }
  expect(Buffer.byteLength(JSON.stringify(delivery))).toBeLessThanOrEqual(ITEM_BUDGET_BYTES);
  expect(delivery.attempts.length).toBeLessThanOrEqual(MAX_STORED_ATTEMPTS);
  expect(delivery.attempts.at(-1)).toEqual(attempt(120, body(120)));
  // Numbers stay in order, newest kept, none missing in between.
  const numbers = delivery.attempts.map((a) => a.number);
  expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  expect(numbers[numbers.length - 1] - numbers[0]).toBe(numbers.length - 1);
});
