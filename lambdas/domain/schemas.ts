/**
 * Request body schemas (valibot: small, tree-shakeable, so cold starts stay short). Each
 * schema checks shape and limits only; rules that need other records (secret exists, name
 * free) live in the services.
 */
import * as v from 'valibot';
import { ApiError, type ErrorDetail } from './errors';
import { EVENT_TYPES } from './types';

/** Team names in paths: what a Secrets Manager name segment and a DynamoDB key can hold safely. */
export const TEAM_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Secret names, as api.md defines them. */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9_]{1,64}$/;

const name = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(128, 'must be at most 128 characters'));
const secretName = v.pipe(v.string(), v.regex(SECRET_NAME_PATTERN, 'must match ^[A-Za-z0-9_]{1,64}$'));

export const createKeySchema = v.strictObject({
  role: v.picklist(['admin', 'member'], 'must be "admin" or "member"'),
  name: v.optional(name, 'key'),
});

export const putSecretSchema = v.strictObject({
  value: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(65536, 'must be at most 65536 characters')),
});

export const createWebhookSchema = v.strictObject({
  name,
  url: v.string('must be a string'),
  secret: v.optional(v.nullable(secretName), null),
  accessToken: v.optional(v.nullable(secretName), null),
});

export const updateWebhookSchema = v.strictObject({
  name: v.optional(name),
  url: v.optional(v.string('must be a string')),
  secret: v.optional(v.nullable(secretName)),
  accessToken: v.optional(v.nullable(secretName)),
});

const pattern = v.pipe(v.string(), v.maxLength(256, 'must be at most 256 characters'));

const eventFilterSchema = v.strictObject({
  type: v.picklist(EVENT_TYPES, `must be one of ${EVENT_TYPES.join(', ')}`),
  collection: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(256))),
  aliasPattern: v.optional(pattern),
  tagPattern: v.optional(pattern),
});

const actionSchema = v.strictObject({
  type: v.literal('WEBHOOK', 'must be "WEBHOOK"'),
  webhookId: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
  payload: v.optional(v.unknown()),
});

export const automationSchema = v.strictObject({
  name,
  description: v.optional(v.pipe(v.string(), v.maxLength(2048)), ''),
  enabled: v.optional(v.boolean('must be true or false'), true),
  event: eventFilterSchema,
  action: actionSchema,
});

export const automationPatchSchema = v.strictObject({
  name: v.optional(name),
  description: v.optional(v.pipe(v.string(), v.maxLength(2048))),
  enabled: v.optional(v.boolean('must be true or false')),
  event: v.optional(eventFilterSchema),
  action: v.optional(actionSchema),
});

const text = (max: number) => v.optional(v.pipe(v.string(), v.maxLength(max)), '');

export const eventSchema = v.strictObject({
  id: v.pipe(v.string('must be a string'), v.minLength(1, 'must be 1-128 characters'), v.maxLength(128, 'must be 1-128 characters')),
  type: v.picklist(EVENT_TYPES, `must be one of ${EVENT_TYPES.join(', ')}`),
  author: text(256),
  entity: text(256),
  project: text(256),
  artifact: v.object({
    collection: v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(256)),
    version: text(1024),
    versionString: text(1024),
    metadata: v.optional(v.record(v.string(), v.unknown()), {}),
  }),
  alias: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(256))), null),
  tag: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(256))), null),
});

export const testWebhookSchema = v.strictObject({ payload: v.optional(v.unknown()) });

/**
 * Parses `input` with `schema` or throws a 400 naming the first bad field
 * (`url: must be a string`), with every problem in `details`.
 */
export function parseBody<TSchema extends v.GenericSchema>(schema: TSchema, input: unknown): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, input ?? {});
  if (result.success) return result.output;
  const details: ErrorDetail[] = result.issues.map((issue) => {
    const field = v.getDotPath(issue) ?? (issue.kind === 'schema' && issue.type === 'strict_object' ? String(issue.input ?? '') : 'body');
    return { field, message: describeIssue(issue) };
  });
  const first = details[0];
  throw new ApiError('VALIDATION_FAILED', `${first.field}: ${first.message}`, details);
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.type === 'strict_object' && issue.expected === 'never') return 'unknown field';
  if (issue.received === 'undefined') return 'is required';
  return issue.message;
}
