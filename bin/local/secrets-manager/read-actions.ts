/**
 * The Secrets Manager emulator's read actions: GetSecretValue, DescribeSecret, ListSecrets
 * and BatchGetSecretValue, with the response shapes they share. Reads change nothing but
 * the last-accessed day of the secrets whose values they return.
 */
import { ApiError, invalidParam } from './errors';
import { matchesFilters, paginate, parseFilters, parseSort, type Sort } from './list';
import type { StoredSecret, StoredVersion } from './model';
import { type Body, optBool, optInt, optString, reqString, stringList } from './params';
import type { SecretStore } from './store';
import { pickVersion } from './versions';

/** GetSecretValue: one version's value, AWSCURRENT unless VersionId/VersionStage say else. */
export function getSecretValue(store: SecretStore, body: Body, now: number): object {
  const secret = store.live(reqString(body, 'SecretId', 2048));
  const versionId = optString(body, 'VersionId');
  const version = pickVersion(secret, versionId, optString(body, 'VersionStage'));
  store.touch(secret, now);
  return valueEntry(secret, version);
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
      const { VersionIdsToStages, ...entry } = describe(secret);
      return { ...entry, SecretVersionsToStages: VersionIdsToStages };
    }),
    ...(nextToken && { NextToken: nextToken }),
  };
}

/**
 * BatchGetSecretValue: current values by an id list (up to 20) or by filters (paged); a
 * secret that can't be read becomes an entry of Errors instead of failing the call.
 */
export function batchGetSecretValue(store: SecretStore, body: Body, now: number): object {
  const hasIds = body.SecretIdList !== undefined && body.SecretIdList !== null;
  const hasFilters = body.Filters !== undefined && body.Filters !== null;
  if (hasIds === hasFilters) {
    throw invalidParam('Specify either SecretIdList or Filters, but not both.');
  }
  const values: object[] = [];
  const errors: object[] = [];
  const fetch = (id: string, secret?: StoredSecret) => {
    try {
      const found = secret ?? store.live(id);
      values.push(valueEntry(found, pickVersion(found, undefined, undefined)));
      store.touch(found, now);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      errors.push({ SecretId: id, ErrorCode: error.type, Message: error.message });
    }
  };
  if (hasIds) {
    const ids = stringList(body.SecretIdList, 'SecretIdList');
    if (ids.length < 1 || ids.length > 20) throw invalidParam('SecretIdList takes 1 to 20 ids.');
    if (body.MaxResults !== undefined || body.NextToken !== undefined) {
      throw invalidParam('MaxResults and NextToken apply only to Filters.');
    }
    for (const id of ids) fetch(id);
    return { SecretValues: values, Errors: errors };
  }
  const filters = parseFilters(body.Filters);
  const candidates = store
    .all()
    .filter((s) => s.deletedDate === undefined && matchesFilters(s, filters));
  const maxResults = optInt(body, 'MaxResults', 1, 20) ?? 20;
  const sort: Sort = { by: 'created-date', desc: false };
  const token = optString(body, 'NextToken');
  const { page, nextToken } = paginate(candidates, sort, maxResults, token);
  for (const secret of page) fetch(secret.name, secret);
  return { SecretValues: values, Errors: errors, ...(nextToken && { NextToken: nextToken }) };
}

function valueEntry(secret: StoredSecret, version: StoredVersion) {
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

function describe(secret: StoredSecret) {
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
