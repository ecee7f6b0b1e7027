/**
 * Reading request fields for the Secrets Manager emulator. Each helper checks one field the
 * way the service does (type, length, allowed characters, the 50-tag cap) and throws the
 * service's `InvalidParameterException`, so actions work with values already known to be valid.
 */
import { randomUUID } from 'node:crypto';
import { invalidParam } from './errors';
import type { SecretValue, Tag } from './model';

/** A parsed JSON 1.1 request body. */
export type Body = Record<string, unknown>;

/** An optional string field of at most maxLength characters. */
export function optString(body: Body, key: string, maxLength = 65536): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParam(`${key} must be a string.`);
  if (value.length > maxLength) throw invalidParam(`${key} is longer than ${maxLength}.`);
  return value;
}

/** A required, non-empty string field of at most maxLength characters. */
export function reqString(body: Body, key: string, maxLength?: number): string {
  const value = optString(body, key, maxLength);
  if (!value) throw invalidParam(`${key} is required.`);
  return value;
}

/** An optional boolean field. */
export function optBool(body: Body, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParam(`${key} must be a boolean.`);
  return value;
}

/** An optional integer field from min to max. */
export function optInt(body: Body, key: string, min: number, max: number): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw invalidParam(`${key} must be an integer from ${min} to ${max}.`);
  }
  return value as number;
}

/** A value that must be a list of strings; key names it in the error. */
export function stringList(value: unknown, key: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalidParam(`${key} must be a list of strings.`);
  }
  return value as string[];
}

/** The Name field of CreateSecret, with the service's character rules. */
export function secretName(body: Body): string {
  const name = reqString(body, 'Name', 512);
  if (!/^[A-Za-z0-9/_+=.@-]+$/.test(name)) {
    throw invalidParam(
      'Invalid name. Must be a valid name containing alphanumeric characters, ' +
        'or any of the following: -/_+=.@!',
    );
  }
  return name;
}

/** The SDK fills ClientRequestToken with a UUID itself; it becomes the new VersionId. */
export function requestToken(body: Body): string {
  const token = optString(body, 'ClientRequestToken', 64);
  if (token !== undefined && token.length < 32) {
    throw invalidParam('ClientRequestToken must be 32 to 64 characters long.');
  }
  return token ?? randomUUID();
}

/** SecretString or SecretBinary (never both); undefined when the request has neither. */
export function secretValue(body: Body): SecretValue | undefined {
  const secretString = optString(body, 'SecretString', 65536);
  const secretBinary = optString(body, 'SecretBinary', 4 * Math.ceil(65536 / 3));
  if (secretString !== undefined && secretBinary !== undefined) {
    throw invalidParam(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (secretBinary !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(secretBinary)) {
    throw invalidParam('SecretBinary must be base64.');
  }
  if (secretString !== undefined) return { secretString };
  if (secretBinary !== undefined) return { secretBinary };
  return undefined;
}

/**
 * The VersionStages field of PutSecretValue: 1 to 20 labels, as in the service (an empty
 * list would make an unlabelled version, which the service treats as deprecated).
 */
export function versionStages(body: Body): string[] | undefined {
  if (body.VersionStages === undefined || body.VersionStages === null) return undefined;
  const stages = stringList(body.VersionStages, 'VersionStages');
  if (stages.length < 1 || stages.length > 20 || stages.some((s) => !s || s.length > 256)) {
    throw invalidParam('VersionStages needs 1 to 20 labels of 1 to 256 characters.');
  }
  return stages;
}

/**
 * A Tags field; absent means no tags. As in the service, `aws:` keys are reserved and a
 * secret has at most 50 tags; a repeated key keeps its last value.
 */
export function parseTags(value: unknown): Tag[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParam('Tags must be a list.');
  const byKey = new Map<string, Tag>();
  for (const tag of value.map(parseTag)) byKey.set(tag.Key, tag);
  if (byKey.size > 50) throw invalidParam('A secret can have at most 50 tags.');
  return [...byKey.values()];
}

function parseTag(tag: unknown): Tag {
  const { Key, Value } = (tag ?? {}) as Record<string, unknown>;
  if (typeof Key !== 'string' || Key.length < 1 || Key.length > 128) {
    throw invalidParam('A tag Key must be 1 to 128 characters.');
  }
  if (Key.startsWith('aws:')) throw invalidParam('Tag keys starting with aws: are reserved.');
  if (Value === undefined || Value === null) return { Key };
  if (typeof Value !== 'string' || Value.length > 256) {
    throw invalidParam('A tag Value must be a string of at most 256 characters.');
  }
  return { Key, Value };
}
