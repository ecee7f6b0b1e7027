/**
 * Team secrets in AWS Secrets Manager, named `<prefix>/<team>/<name>` and tagged with their
 * team. Secrets an admin creates in the console under that name are listed and used like
 * ours. Values are cached for `cacheSeconds` (secret-versions-cache.ts), so steady-state
 * deliveries make no Secrets Manager calls; a rotation made in the console is picked up within
 * that time. Rotation uses Secrets Manager's own versions: the AWSCURRENT version's
 * CreatedDate says when the value changed and AWSPREVIOUS holds the value before it, so a new
 * value written in the console rotates exactly like a `PUT`.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  ListSecretsCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type GetSecretValueCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretStore, SecretVersions } from '../domain/ports';
import { SECRET_NAME_PATTERN } from '../domain/schemas';
import type { SecretInfo } from '../domain/types';
import { SecretVersionsCache, type FetchedVersion } from './secret-versions-cache';

function isNotFound(error: unknown): boolean {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error && cause.name === 'ResourceNotFoundException';
}

function iso(date: Date | undefined, fallback: string): string {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : fallback;
}

/** Secrets Manager-backed SecretStore. */
export class SecretsManagerStore implements SecretStore {
  private readonly cache: SecretVersionsCache;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    cacheSeconds = 60,
    now: () => number = Date.now,
  ) {
    this.cache = new SecretVersionsCache((secretId, stage) => this.fetchVersion(secretId, stage), cacheSeconds, now);
  }

  /** One version by staging label; undefined when the secret (or the label) does not exist. */
  private async fetchVersion(secretId: string, stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<FetchedVersion | undefined> {
    let answer: GetSecretValueCommandOutput;
    try {
      answer = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const value = answer.SecretString ?? (answer.SecretBinary ? Buffer.from(answer.SecretBinary).toString('utf8') : undefined);
    if (value === undefined) return undefined;
    // A version without a date or id (never seen from the service) counts as old: it never brings its previous value back.
    const createdAt = answer.CreatedDate instanceof Date ? answer.CreatedDate.getTime() : 0;
    return { value, versionId: answer.VersionId ?? '', createdAt };
  }

  private fullName(team: string, name: string): string {
    return `${this.prefix}/${team}/${name}`;
  }

  async put(team: string, name: string, value: string) {
    const now = new Date().toISOString();
    const secretId = this.fullName(team, name);
    try {
      await this.client.send(new CreateSecretCommand({
        Name: secretId,
        SecretString: value,
        Description: `Registry Webhooks secret ${name} of team ${team}`,
        Tags: [{ Key: 'registry-webhooks:team', Value: team }],
      }));
      this.cache.forget(secretId);
      const described = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
      const createdAt = iso(described.CreatedDate, now);
      return { created: true, info: { name, createdAt, updatedAt: iso(described.LastChangedDate, createdAt) } };
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ResourceExistsException')) throw error;
    }
    await this.client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
    this.cache.forget(secretId);
    const described = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return { created: false, info: { name, createdAt: iso(described.CreatedDate, now), updatedAt: iso(described.LastChangedDate, now) } };
  }

  async list(team: string) {
    const prefix = `${this.prefix}/${team}/`;
    const items: SecretInfo[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 100, NextToken: nextToken }));
      for (const secret of page.SecretList ?? []) {
        const name = secret.Name?.startsWith(prefix) ? secret.Name.slice(prefix.length) : '';
        // Console-made secrets with names our API cannot address (e.g. nested paths) are skipped.
        if (!SECRET_NAME_PATTERN.test(name) || secret.DeletedDate) continue;
        const created = iso(secret.CreatedDate, '');
        items.push({ name, createdAt: created, updatedAt: iso(secret.LastChangedDate, created) });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return items.sort((a, b) => a.name.localeCompare(b.name));
  }

  async exists(team: string, name: string) {
    try {
      const described = await this.client.send(new DescribeSecretCommand({ SecretId: this.fullName(team, name) }));
      return !described.DeletedDate;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async getValue(team: string, name: string) {
    return (await this.cache.get(this.fullName(team, name), 0))?.value;
  }

  async getVersions(team: string, name: string, previousWithinSeconds: number): Promise<SecretVersions | undefined> {
    return this.cache.get(this.fullName(team, name), previousWithinSeconds);
  }

  async delete(team: string, name: string) {
    try {
      // Deleted at once, so the name can be used again; the API's DELETE means "gone".
      await this.client.send(new DeleteSecretCommand({ SecretId: this.fullName(team, name), ForceDeleteWithoutRecovery: true }));
      this.cache.forget(this.fullName(team, name));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }
}
