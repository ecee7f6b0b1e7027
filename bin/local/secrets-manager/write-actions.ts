/**
 * The Secrets Manager emulator's write actions: CreateSecret, PutSecretValue and
 * DeleteSecret. Each changes secrets in the store and records the change, so the store
 * writes the file before the answer goes out.
 */
import { ApiError, invalidParam, invalidRequest, MARKED_DELETED } from './errors';
import { DAY_SECONDS, type StoredSecret } from './model';
import {
  type Body,
  optBool,
  optInt,
  optString,
  parseTags,
  reqString,
  requestToken,
  secretName,
  secretValue,
  versionStages,
} from './params';
import type { SecretStore } from './store';
import { CURRENT, putVersion, sameValue } from './versions';

/** CreateSecret: a new secret, with a first (AWSCURRENT) version if a value is given. */
export function createSecret(store: SecretStore, body: Body, now: number): object {
  const name = secretName(body);
  const versionId = requestToken(body);
  const value = secretValue(body);
  const description = optString(body, 'Description', 2048);
  const tags = parseTags(body.Tags);
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
  const stages = versionStages(body) ?? [CURRENT];
  const { version, added } = putVersion(secret, versionId, value, stages, now);
  if (added) store.modified(secret, now);
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: versionId,
    VersionStages: version.stages,
  };
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
