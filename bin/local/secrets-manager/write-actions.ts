/**
 * The Secrets Manager emulator's write actions: CreateSecret, PutSecretValue, UpdateSecret,
 * DeleteSecret, RestoreSecret, TagResource and UntagResource. Each changes secrets in the
 * store and records the change, so the store writes the file before the answer goes out.
 */
import { ApiError, invalidParam, invalidRequest, MARKED_DELETED } from './errors';
import { DAY_SECONDS, type StoredSecret } from './model';
import {
  type Body,
  mergeTags,
  optBool,
  optInt,
  optString,
  parseTags,
  reqString,
  requestToken,
  secretName,
  secretValue,
  stringList,
} from './params';
import type { SecretStore } from './store';
import { CURRENT, putVersion, sameValue } from './versions';

/** CreateSecret: a new secret, with a first (AWSCURRENT) version if a value is given. */
export function createSecret(store: SecretStore, body: Body, now: number): object {
  const name = secretName(body);
  const versionId = requestToken(body);
  const value = secretValue(body);
  const description = optString(body, 'Description', 2048);
  const tags = mergeTags([], parseTags(body.Tags));
  const existing = store.get(name);
  if (existing) {
    if (existing.deletedDate !== undefined) {
      throw invalidRequest(
        "You can't create this secret because a secret with this name is already " +
          'scheduled for deletion.',
      );
    }
    // A retry of the very same request (same token and value) succeeds, as in AWS.
    const version = existing.versions.find((v) => v.versionId === versionId);
    if (value && version && sameValue(version, value)) {
      return { ARN: existing.arn, Name: name, VersionId: versionId };
    }
    throw new ApiError(
      'ResourceExistsException',
      `The operation failed because the secret ${name} already exists.`,
    );
  }
  const secret: StoredSecret = {
    name,
    arn: store.newArn(name),
    ...(description !== undefined && { description }),
    tags,
    createdDate: now,
    lastChangedDate: now,
    versions: [],
  };
  if (value) putVersion(secret, versionId, value, [CURRENT], now);
  store.add(secret);
  return { ARN: secret.arn, Name: name, ...(value && { VersionId: versionId }) };
}

/** PutSecretValue: a new version, AWSCURRENT unless VersionStages names other labels. */
export function putSecretValue(store: SecretStore, body: Body, now: number): object {
  const secret = store.live(reqString(body, 'SecretId', 2048));
  const versionId = requestToken(body);
  const value = secretValue(body);
  if (!value) throw invalidParam('You must provide either SecretString or SecretBinary.');
  const { VersionStages } = body;
  const stages =
    VersionStages === undefined ? [CURRENT] : stringList(VersionStages, 'VersionStages');
  const { version, added } = putVersion(secret, versionId, value, stages, now);
  if (added) store.modified(secret, now);
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: versionId,
    VersionStages: version.stages,
  };
}

/** UpdateSecret: a new description and/or a new AWSCURRENT value. */
export function updateSecret(store: SecretStore, body: Body, now: number): object {
  const secret = store.live(reqString(body, 'SecretId', 2048));
  const description = optString(body, 'Description', 2048);
  const value = secretValue(body);
  const versionId = value ? requestToken(body) : undefined;
  if (description !== undefined) {
    secret.description = description;
    store.modified(secret, now);
  }
  if (value && versionId && putVersion(secret, versionId, value, [CURRENT], now).added) {
    store.modified(secret, now);
  }
  return { ARN: secret.arn, Name: secret.name, ...(versionId && { VersionId: versionId }) };
}

/** DeleteSecret: schedules deletion after a 7 to 30 day window, or deletes at once. */
export function deleteSecret(store: SecretStore, body: Body, now: number): object {
  const secret = store.find(reqString(body, 'SecretId', 2048));
  const force = optBool(body, 'ForceDeleteWithoutRecovery') ?? false;
  const windowDays = optInt(body, 'RecoveryWindowInDays', 7, 30);
  if (force && windowDays !== undefined) {
    throw invalidParam(
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
  }
  // AWS also lets a secret already scheduled for deletion be force-deleted at once.
  if (force) {
    store.remove(secret);
    return { ARN: secret.arn, Name: secret.name, DeletionDate: now };
  }
  if (secret.deletedDate !== undefined) throw invalidRequest(MARKED_DELETED);
  secret.deletedDate = now;
  secret.deletionDate = now + (windowDays ?? 30) * DAY_SECONDS;
  store.modified(secret, now);
  return { ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletionDate };
}

/** RestoreSecret: cancels a scheduled deletion; a secret not scheduled stays as it is. */
export function restoreSecret(store: SecretStore, body: Body, now: number): object {
  const secret = store.find(reqString(body, 'SecretId', 2048));
  if (secret.deletedDate !== undefined) {
    delete secret.deletedDate;
    delete secret.deletionDate;
    store.modified(secret, now);
  }
  return { ARN: secret.arn, Name: secret.name };
}

/** TagResource: adds tags, replacing those with the same keys. */
export function tagResource(store: SecretStore, body: Body, now: number): object {
  const secret = store.live(reqString(body, 'SecretId', 2048));
  if (!Array.isArray(body.Tags)) throw invalidParam('Tags is required.');
  secret.tags = mergeTags(secret.tags, parseTags(body.Tags));
  store.modified(secret, now);
  return {};
}

/** UntagResource: removes the tags with the given keys. */
export function untagResource(store: SecretStore, body: Body, now: number): object {
  const secret = store.live(reqString(body, 'SecretId', 2048));
  const keys = new Set(stringList(body.TagKeys, 'TagKeys'));
  secret.tags = secret.tags.filter((tag) => !keys.has(tag.Key));
  store.modified(secret, now);
  return {};
}
