/**
 * The Secrets Manager emulator's read actions: GetSecretValue, DescribeSecret and
 * ListSecrets. Reads change nothing but the last-accessed day of the secrets whose values
 * they return.
 */
import { matchesFilters, paginate, parseFilters, parseSort } from './list';
import type { StoredSecret } from './model';
import { type Body, optBool, optInt, optString, reqString } from './params';
import type { SecretStore } from './store';
import { pickVersion } from './versions';

/** GetSecretValue: one version's value, AWSCURRENT unless VersionId/VersionStage say else. */
export function getSecretValue(store: SecretStore, body: Body, now: number): object {
  const secret = store.live(reqString(body, 'SecretId', 2048));
  const versionId = optString(body, 'VersionId');
  const version = pickVersion(secret, versionId, optString(body, 'VersionStage'));
  store.touch(secret, now);
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.versionId,
    ...(version.secretString !== undefined && { SecretString: version.secretString }),
    ...(version.secretBinary !== undefined && { SecretBinary: version.secretBinary }),
    VersionStages: version.stages,
    CreatedDate: version.createdDate,
  };
}

/** DescribeSecret: a secret's metadata, also while it is scheduled for deletion. */
export function describeSecret(store: SecretStore, body: Body): object {
  return describe(store.find(reqString(body, 'SecretId', 2048)));
}

/** ListSecrets: metadata of the secrets the filters match, sorted and paged. */
export function listSecrets(store: SecretStore, body: Body): object {
  const maxResults = optInt(body, 'MaxResults', 1, 100) ?? 100;
  const withDeleted = optBool(body, 'IncludePlannedDeletion') ?? false;
  const filters = parseFilters(body.Filters);
  const candidates = store
    .all()
    .filter((s) => (withDeleted || s.deletedDate === undefined) && matchesFilters(s, filters));
  const token = optString(body, 'NextToken');
  const { page, nextToken } = paginate(candidates, parseSort(body), maxResults, token);
  return {
    SecretList: page.map((secret) => {
      // The service names the same map differently in ListSecrets than in DescribeSecret.
      const { VersionIdsToStages, ...entry } = describe(secret);
      return { ...entry, SecretVersionsToStages: VersionIdsToStages };
    }),
    ...(nextToken && { NextToken: nextToken }),
  };
}

function describe(secret: StoredSecret) {
  // Unlabelled versions are kept only until pruned; the service lists just labelled ones.
  const labelled = secret.versions.filter((v) => v.stages.length > 0);
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description !== undefined && { Description: secret.description }),
    RotationEnabled: false,
    LastChangedDate: secret.lastChangedDate,
    ...(secret.lastAccessedDate !== undefined && { LastAccessedDate: secret.lastAccessedDate }),
    ...(secret.deletedDate !== undefined && { DeletedDate: secret.deletedDate }),
    Tags: secret.tags,
    VersionIdsToStages: Object.fromEntries(labelled.map((v) => [v.versionId, v.stages])),
    CreatedDate: secret.createdDate,
  };
}
