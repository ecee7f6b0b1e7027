/**
 * Secret versions and staging labels in the Secrets Manager emulator: which version a read
 * gets, and how a new value becomes a version (AWSCURRENT moves, its old holder becomes
 * AWSPREVIOUS, a repeated ClientRequestToken is a retry). Kept apart from the store because
 * it only works on one secret and never touches the file.
 */
import { ApiError, invalidRequest, notFound } from './errors';
import type { SecretValue, StoredSecret, StoredVersion } from './model';

/** The label of the version reads get by default. */
export const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
/** The service keeps up to about 100 versions, dropping the oldest unlabelled ones first. */
const MAX_VERSIONS = 100;

/** Whether a version holds exactly this value. */
export function sameValue(version: StoredVersion, value: SecretValue): boolean {
  return version.secretString === value.secretString && version.secretBinary === value.secretBinary;
}

/** The version a read asks for: by id, by label, or AWSCURRENT; both must agree if given. */
export function pickVersion(
  secret: StoredSecret,
  versionId?: string,
  stage?: string,
): StoredVersion {
  if (versionId !== undefined) {
    const version = secret.versions.find((v) => v.versionId === versionId);
    if (!version) {
      throw notFound(
        `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
      );
    }
    if (stage !== undefined && !version.stages.includes(stage)) {
      throw invalidRequest(
        'You provided a VersionStage that is not associated to the provided VersionId.',
      );
    }
    return version;
  }
  const label = stage ?? CURRENT;
  const version = secret.versions.find((v) => v.stages.includes(label));
  if (!version) {
    throw notFound(
      `Secrets Manager can't find the specified secret value for staging label: ${label}`,
    );
  }
  return version;
}

/**
 * Stores value as version versionId with the given labels, unless that version already
 * holds it (a retry). `added` tells the caller whether the secret changed; the caller
 * records the change, since only the store knows about the file.
 */
export function putVersion(
  secret: StoredSecret,
  versionId: string,
  value: SecretValue,
  stages: string[],
  now: number,
): { version: StoredVersion; added: boolean } {
  const existing = idempotentVersion(secret, versionId, value);
  if (existing) return { version: existing, added: false };
  return { version: addVersion(secret, versionId, value, stages, now), added: true };
}

/** An existing version with this id: same value means a retry, another value is refused. */
function idempotentVersion(secret: StoredSecret, versionId: string, value: SecretValue) {
  const version = secret.versions.find((v) => v.versionId === versionId);
  if (version && !sameValue(version, value)) {
    throw new ApiError(
      'ResourceExistsException',
      `A version with VersionId ${versionId} already exists with a different value.`,
    );
  }
  return version;
}

/** Adds a version and moves the labels to it; AWSCURRENT's old holder becomes AWSPREVIOUS. */
function addVersion(
  secret: StoredSecret,
  versionId: string,
  value: SecretValue,
  stages: string[],
  now: number,
): StoredVersion {
  const moved = new Set(stages);
  const oldCurrent = moved.has(CURRENT)
    ? secret.versions.find((v) => v.stages.includes(CURRENT))
    : undefined;
  if (oldCurrent && !moved.has(PREVIOUS)) moved.add(PREVIOUS);
  for (const v of secret.versions) v.stages = v.stages.filter((stage) => !moved.has(stage));
  if (oldCurrent && !stages.includes(PREVIOUS)) oldCurrent.stages.push(PREVIOUS);
  const version: StoredVersion = {
    versionId,
    ...value,
    stages: [...new Set(stages)],
    createdDate: now,
  };
  secret.versions.push(version);
  while (secret.versions.length > MAX_VERSIONS) {
    const index = secret.versions.findIndex((v) => v.stages.length === 0);
    if (index < 0) break;
    secret.versions.splice(index, 1);
  }
  return version;
}
