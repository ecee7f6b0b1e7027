/**
 * The Secrets Manager emulator's read actions: GetSecretValue, DescribeSecret, ListSecrets
 * and ListSecretVersionIds. Reads change nothing but the last-accessed day of the secrets whose values
 * they return.
 */
import { matchesFilters, paginate, parseFilters, parseSort } from './list';
import type { StoredSecret } from './model';
import { ApiError } from './errors';
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

/**
 * ListSecretVersionIds: the secret's versions with their labels and creation dates, newest
 * first (what a console user looks at to see AWSCURRENT and AWSPREVIOUS); unlabelled versions
 * only with IncludeDeprecated, as in AWS. Also while the secret is scheduled for deletion.
 */
export function listSecretVersionIds(store: SecretStore, body: Body): object {
  const secret = store.find(reqString(body, 'SecretId', 2048));
  const maxResults = optInt(body, 'MaxResults', 1, 100) ?? 100;
  const withDeprecated = optBool(body, 'IncludeDeprecated') ?? false;
  // Newest first; versions are kept in the order they were made, which breaks ties of date.
  const versions = [...secret.versions]
    .reverse()
    .filter((v) => withDeprecated || v.stages.length > 0);
  const token = optString(body, 'NextToken');
  // The token is the offset into this order; anything else is refused like the service does.
  const start = token === undefined ? 0 : Number.parseInt(Buffer.from(token, 'base64url').toString('utf8'), 10);
  if (!(Number.isInteger(start) && start >= 0 && start <= versions.length)) {
    throw new ApiError('InvalidNextTokenException', 'The NextToken value is invalid.');
  }
  const page = versions.slice(start, start + maxResults);
  const next = start + maxResults < versions.length ? Buffer.from(String(start + maxResults)).toString('base64url') : undefined;
  return {
    ARN: secret.arn,
    Name: secret.name,
    Versions: page.map((v) => ({
      VersionId: v.versionId,
      VersionStages: v.stages,
      CreatedDate: v.createdDate,
    })),
    ...(next && { NextToken: next }),
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
