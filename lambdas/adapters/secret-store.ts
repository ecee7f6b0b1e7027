/**
 * Team secrets in AWS Secrets Manager, named `<prefix>/<team>/<name>` and tagged with their
 * team. Secrets an admin creates in the console under that name are listed and used like
 * ours. Values are read through Powertools' SecretsProvider, which caches them for
 * `cacheSeconds`, so steady-state deliveries make no Secrets Manager calls; a rotation made
 * in the console is picked up within that time.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretStore } from '../domain/ports';
import { SECRET_NAME_PATTERN } from '../domain/schemas';
import type { SecretInfo } from '../domain/types';

function isNotFound(error: unknown): boolean {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error && cause.name === 'ResourceNotFoundException';
}

function iso(date: Date | undefined, fallback: string): string {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : fallback;
}

/** Secrets Manager-backed SecretStore. */
export class SecretsManagerStore implements SecretStore {
  private readonly provider: SecretsProvider;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly cacheSeconds = 60,
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
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
      this.provider.clearCache();
      const described = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
      const createdAt = iso(described.CreatedDate, now);
      return { created: true, info: { name, createdAt, updatedAt: iso(described.LastChangedDate, createdAt) } };
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ResourceExistsException')) throw error;
    }
    await this.client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
    this.provider.clearCache();
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
    try {
      const value = await this.provider.get(this.fullName(team, name), { maxAge: this.cacheSeconds });
      if (value === undefined) return undefined;
      return typeof value === 'string' ? value : Buffer.from(value as Uint8Array).toString('utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(team: string, name: string) {
    try {
      // Deleted at once, so the name can be used again; the API's DELETE means "gone".
      await this.client.send(new DeleteSecretCommand({ SecretId: this.fullName(team, name), ForceDeleteWithoutRecovery: true }));
      this.provider.clearCache();
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }
}
