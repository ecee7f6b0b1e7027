/**
 * The largest delivery record the limits allow still fits in DynamoDB's 400 KB item (lambdas/
 * domain/delivery-size.ts): the biggest event the schema accepts, a payload at the ingest
 * limit, a template at the configuration limit and attempts with the largest bodies a sender
 * can return. Sizes follow DynamoDB's rules (strings as UTF-8 bytes, attribute names count),
 * for the item as delivery-store.ts writes it (event and template as JSON text).
 */
import { ATTEMPTS_THAT_ALWAYS_FIT, fitDeliveryItem } from '../../lambdas/domain/delivery-size';
import { MAX_METADATA_BYTES, eventSchema, parseBody } from '../../lambdas/domain/schemas';
import { MAX_TEMPLATE_BYTES } from '../../lambdas/domain/services/automations';
import { MAX_PAYLOAD_BYTES } from '../../lambdas/domain/services/events';
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

/** The item as DynamoDeliveryStore writes it (toItem), while the delivery is still open. */
function storedItem(delivery: Delivery): Record<string, unknown> {
  const { event, template, ...rest } = delivery;
  return {
    ...rest,
    createdSk: `${delivery.createdAt}#${delivery.id}`,
    eventJson: JSON.stringify(event),
    templateJson: template === undefined ? undefined : JSON.stringify(template),
    expiresAt: 1_900_000_000,
    dueShard: 'DUE#3',
    dueAt: delivery.nextAttemptAt,
    claimUntil: '2025-01-01T00:00:25.000Z',
  };
}

/** A string of `bytes` bytes of JSON text once JSON-escaped (control characters: 6 bytes each). */
const escaped = (bytes: number) => '\u0001'.repeat(Math.floor(bytes / 6)) + 'x'.repeat(bytes % 6);

/** The largest event eventSchema accepts: every text field at its limit, in its costliest spelling. */
function largestEvent() {
  const frame = Buffer.byteLength(JSON.stringify({ k: '' }));
  const metadata = { k: escaped(MAX_METADATA_BYTES - frame) };
  expect(Buffer.byteLength(JSON.stringify(metadata))).toBe(MAX_METADATA_BYTES);
  const text = (length: number) => '\u0001'.repeat(length);
  const event = parseBody(eventSchema, {
    id: text(128), type: 'ADD_ARTIFACT_TAG', author: text(256), entity: text(256), project: text(256),
    artifact: { collection: text(256), version: text(1024), versionString: text(1024), metadata },
    alias: text(256), tag: text(256),
  });
  // One byte more of metadata is refused.
  expect(() => parseBody(eventSchema, { ...event, artifact: { ...event.artifact, metadata: { k: `${metadata.k}x` } } })).toThrow(/artifact\.metadata: must be at most 65536 bytes of JSON/);
  return event;
}

function attempt(number: number, responseBody: string): Attempt {
  return { number, at: '2025-01-01T00:00:00.000Z', status: 500, durationMs: 14999, error: `HTTP 500 ${'e'.repeat(300)}`, responseBody };
}

function worstDelivery(attempts: Attempt[]): Delivery {
  const at = '2025-01-01T00:00:00.000Z';
  const template = { t: escaped(MAX_TEMPLATE_BYTES - Buffer.byteLength(JSON.stringify({ t: '' }))) };
  expect(Buffer.byteLength(JSON.stringify(template))).toBe(MAX_TEMPLATE_BYTES);
  // A payload at the limit, and as hard on the JSON measure as it gets (every character escaped again).
  const payload = `"${'\\'.repeat(MAX_PAYLOAD_BYTES - 2)}"`;
  expect(Buffer.byteLength(payload)).toBe(MAX_PAYLOAD_BYTES);
  return {
    id: `dlv_${'f'.repeat(32)}`, team: 't'.repeat(64), eventId: 'e'.repeat(128), automationId: `au_${'a'.repeat(32)}`, webhookId: `wh_${'w'.repeat(32)}`,
    url: `https://${'\u00e9'.repeat(60)}.example.com/${'\u00e9'.repeat(1960)}`, status: 'retrying', payload, attempts,
    attemptCount: attempts.length, roundAttempts: attempts.length, nextAttemptAt: at, createdAt: at, updatedAt: at,
    event: largestEvent(), template,
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
  const small = { ...worstDelivery([]), payload: '{}', template: undefined, event: { ...largestEvent(), artifact: { collection: 'm', version: '', versionString: '', metadata: {} } } };
  const attempts = Array.from({ length: 60 }, (_, index) => ({ ...attempt(index + 1, 'ok'), at }));
  const fitted = fitDeliveryItem({ ...small, attempts });
  expect(fitted.attempts.map((a) => a.number)).toEqual(attempts.slice(-50).map((a) => a.number));
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
