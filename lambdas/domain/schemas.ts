/**
 * Request body schemas (valibot: small, tree-shakeable, so cold starts stay short). Each
 * schema checks shape and limits only; rules that need other records (secret exists, name
 * free) live in the services.
 *
 * `null` on an optional field means the same as leaving it out (its default applies), except
 * where a PATCH documents `null` as "remove": `secret`/`accessToken` of a webhook, and the
 * optional fields inside an automation's `event` and `action`.
 */
import * as v from 'valibot';
import { customHeadersProblem } from './custom-headers';
import { DomainError, validationError, type ErrorDetail } from './errors';
import { normalizeEvent } from './event-types';
import { checkJsonBody, nestingDepthExceeds } from './json-input';
import { MAX_ID_LENGTH } from './id-limits';
import { EVENT_TYPES, type RegistryEvent } from './types';

/** Team names in paths: what a Secrets Manager name segment and a DynamoDB key can hold safely. */
export const TEAM_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Secret names, as api.md defines them. */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9_]{1,64}$/;
/**
 * Largest `artifact.metadata` of an event, as JSON text. It is stored with the event's record
 * and the default payload holds it again, so it bounds both the record and a rendered payload
 * well inside the storage and payload limits.
 */
export const MAX_METADATA_BYTES = 65536;
/** Deepest nesting of objects and arrays in `artifact.metadata` (itself 1): the limit of payload templates. */
export const MAX_METADATA_DEPTH = 32;

const name = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(128, 'must be at most 128 characters'));
const secretName = v.pipe(v.string(), v.regex(SECRET_NAME_PATTERN, 'must match ^[A-Za-z0-9_]{1,64}$'));

/** Fields the API returns and a PATCH accepts and ignores, so that GET → edit → PATCH works. */
const readOnly = { id: v.optional(v.unknown()), createdAt: v.optional(v.unknown()), updatedAt: v.optional(v.unknown()) };

/** The object without its null and undefined entries (null on an optional create field = absent). */
function withoutNulls<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== null && entry !== undefined)) as { [K in keyof T]: Exclude<T[K], null> };
}

/** The object without the read-only fields of {@link readOnly}. */
function withoutReadOnly<T extends Record<string, unknown>>(value: T): Omit<T, keyof typeof readOnly> {
  const { id: _id, createdAt: _createdAt, updatedAt: _updatedAt, ...rest } = value;
  return rest;
}

export const createKeySchema = v.strictObject({
  role: v.picklist(['admin', 'member'], 'must be "admin" or "member"'),
  name: v.nullish(name, 'key'),
});

export const putSecretSchema = v.strictObject({
  value: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(65536, 'must be at most 65536 characters')),
});

const enabled = v.boolean('must be true or false');
/** Attempts per second (api.md: an integer from 1 to 10000); null: no limit. */
const rateLimit = v.nullable(v.pipe(v.number('must be an integer from 1 to 10000'), v.integer('must be an integer from 1 to 10000'), v.minValue(1, 'must be an integer from 1 to 10000'), v.maxValue(10000, 'must be an integer from 1 to 10000')));

const isJsonObject = (input: unknown): input is Record<string, unknown> => typeof input === 'object' && input !== null && !Array.isArray(input);

/** A webhook's own headers (custom-headers.ts); `null` means none. */
const customHeaders = v.pipe(
  v.nullable(
    v.pipe(
      // valibot's record takes an array as an object of indexes: refuse it first.
      v.custom<Record<string, unknown>>(isJsonObject, 'must be an object of header names to string values'),
      v.record(v.string(), v.string('must be a string')),
    ),
  ),
  v.transform((headers): Record<string, string> => headers ?? {}),
  v.check((headers) => customHeadersProblem(headers) === null, (issue) => customHeadersProblem(issue.input as Record<string, string>) ?? 'invalid'),
);

/** Health fields a webhook's GET shows and a create or PATCH accepts and ignores (the service sets them). */
const healthReadOnly = { disabledReason: v.optional(v.unknown()), disabledAt: v.optional(v.unknown()), failingSince: v.optional(v.unknown()) };

function withoutHealthReadOnly<T extends Record<string, unknown>>(value: T): Omit<T, keyof typeof healthReadOnly> {
  const { disabledReason: _reason, disabledAt: _at, failingSince: _since, ...rest } = value;
  return rest;
}

export const createWebhookSchema = v.pipe(
  v.strictObject({
    name,
    url: v.string('must be a string'),
    secret: v.optional(v.nullable(secretName), null),
    accessToken: v.optional(v.nullable(secretName), null),
    enabled: v.optional(v.nullable(enabled), true),
    rateLimit: v.optional(rateLimit, null),
    headers: v.optional(customHeaders, {}),
    ...healthReadOnly,
  }),
  v.transform(withoutHealthReadOnly),
);

export const updateWebhookSchema = v.pipe(
  v.strictObject({
    ...readOnly,
    ...healthReadOnly,
    name: v.optional(name),
    url: v.optional(v.string('must be a string')),
    secret: v.optional(v.nullable(secretName)),
    accessToken: v.optional(v.nullable(secretName)),
    enabled: v.optional(v.nullable(enabled)),
    rateLimit: v.optional(rateLimit),
    headers: v.optional(customHeaders),
  }),
  v.transform((value) => withoutHealthReadOnly(withoutReadOnly(value))),
);

/** `POST …/webhooks/{id}/recover`: a window of creation times (`until` defaults to now). */
export const recoverSchema = v.strictObject({
  since: v.pipe(v.string('must be an ISO date-time'), v.isoTimestamp('must be an ISO date-time')),
  until: v.optional(v.nullable(v.pipe(v.string('must be an ISO date-time'), v.isoTimestamp('must be an ISO date-time')))),
});

const pattern = v.pipe(v.string(), v.maxLength(256, 'must be at most 256 characters'));
const eventType = v.picklist(EVENT_TYPES, `must be one of ${EVENT_TYPES.join(', ')}`);
const collection = v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(256));
/** A registry (project) name in a filter: the same limits as the event's `project`, but not empty. */
const project = v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(256));
const webhookId = v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`));
const description = v.pipe(v.string(), v.maxLength(2048));

/** An event filter; `null` on an optional field means absent. */
const eventFilterSchema = v.pipe(
  v.strictObject({
    type: eventType,
    project: v.nullish(project),
    collection: v.nullish(collection),
    aliasPattern: v.nullish(pattern),
    tagPattern: v.nullish(pattern),
  }),
  v.transform(withoutNulls),
);

/** A webhook action; `payload: null` means absent (the default payload). */
const actionSchema = v.pipe(
  v.strictObject({
    type: v.literal('WEBHOOK', 'must be "WEBHOOK"'),
    webhookId,
    payload: v.optional(v.unknown()),
  }),
  v.transform(withoutNulls),
);

export const automationSchema = v.strictObject({
  name,
  description: v.nullish(description, ''),
  enabled: v.nullish(v.boolean('must be true or false'), true),
  event: eventFilterSchema,
  action: actionSchema,
});

/** Part of an event filter, merged into the stored one; `null` removes an optional field. */
const eventFilterPatchSchema = v.strictObject({
  type: v.optional(eventType),
  project: v.nullish(project),
  collection: v.nullish(collection),
  aliasPattern: v.nullish(pattern),
  tagPattern: v.nullish(pattern),
});

/** Part of an action, merged into the stored one; `payload: null` goes back to the default payload. */
const actionPatchSchema = v.strictObject({
  type: v.optional(v.literal('WEBHOOK', 'must be "WEBHOOK"')),
  webhookId: v.optional(webhookId),
  payload: v.optional(v.unknown()),
});

export const automationPatchSchema = v.pipe(
  v.strictObject({
    ...readOnly,
    name: v.optional(name),
    description: v.nullish(description),
    enabled: v.optional(v.boolean('must be true or false')),
    event: v.optional(eventFilterPatchSchema),
    action: v.optional(actionPatchSchema),
  }),
  v.transform(withoutReadOnly),
);

/** Event text fields: `null` (or absent) is the empty string. */
const text = (max: number) => v.nullish(v.pipe(v.string(), v.maxLength(max)), '');


/** `artifact.metadata`: a JSON object (`null` or absent: `{}`) of at most {@link MAX_METADATA_BYTES} as JSON. */
const metadata = v.pipe(
  v.nullish(v.custom<Record<string, unknown>>(isJsonObject, 'must be a JSON object'), () => ({})),
  // Depth first: it is checked without recursion, and JSON.stringify below recurses.
  v.check((value) => !nestingDepthExceeds(value, MAX_METADATA_DEPTH), `must not nest deeper than ${MAX_METADATA_DEPTH} levels`),
  v.check((value) => Buffer.byteLength(JSON.stringify(value)) <= MAX_METADATA_BYTES, `must be at most ${MAX_METADATA_BYTES} bytes of JSON`),
);

/**
 * The registry's event report. Lenient for forward compatibility: fields this version does
 * not know are ignored (and not stored), and `null` text fields are empty. One shape serves
 * every type; what differs by type (a collection event carries no version) is applied after
 * parsing, from the event catalog (event-types.ts, normalizeEvent).
 */
export const eventSchema = v.pipe(v.object({
  id: v.pipe(v.string('must be a string'), v.minLength(1, 'must be 1-128 characters'), v.maxLength(128, 'must be 1-128 characters')),
  type: eventType,
  author: text(256),
  entity: text(256),
  project: text(256),
  artifact: v.object({
    collection,
    version: text(1024),
    versionString: text(1024),
    metadata,
  }),
  alias: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(256))), null),
  tag: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(256))), null),
}), v.transform((event): RegistryEvent => normalizeEvent(event)));

/** The test route's body; `payload: null` means absent (the sample event's default payload), as on automations. */
export const testWebhookSchema = v.pipe(v.strictObject({ payload: v.optional(v.unknown()) }), v.transform(withoutNulls));

/**
 * Parses `input` with `schema` or throws a 400 naming the first bad field
 * (`url: must be a string`), with every problem in `details`. A request without a body is
 * taken as `{}`; a body that is not a JSON object (`[]`, `"x"`, `1`, `null`) is refused, and so is
 * one nested too deep or holding a lone surrogate anywhere (json-input.ts), before any schema runs.
 */
export function parseBody<TSchema extends v.GenericSchema>(schema: TSchema, input: unknown): v.InferOutput<TSchema> {
  const body = input === undefined ? {} : input;
  if (!isJsonObject(body)) throw validationError('body', 'must be a JSON object');
  checkJsonBody(body);
  const result = v.safeParse(schema, body);
  if (result.success) return result.output;
  const details: ErrorDetail[] = result.issues.map((issue) => {
    const field = v.getDotPath(issue) ?? (issue.kind === 'schema' && issue.type === 'strict_object' ? String(issue.input ?? '') : 'body');
    return { field, message: describeIssue(issue) };
  });
  const first = details[0];
  throw new DomainError('invalid', `${first.field}: ${first.message}`, details);
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.type === 'strict_object' && issue.expected === 'never') return 'unknown field';
  if (issue.received === 'undefined') return 'is required';
  return issue.message;
}
