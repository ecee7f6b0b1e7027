/**
 * Webhooks in the config table: `TEAM#<team> / WEBHOOK#<id>`, plus a name-claim item
 * `TEAM#<team> / WEBHOOKNAME#<name>` written first with a condition, which makes names
 * unique per team without transactions (DynamoDB Local engines differ in transaction support).
 * A claim left behind by a crash is taken over when the webhook it names is gone.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conflict } from '../../domain/errors';
import type { WebhookStore } from '../../domain/ports';
import { HEALTHY, type Webhook, type WebhookHealth } from '../../domain/types';
import { isConditionFailed } from './errors';
import { queryAll } from './query-all';

/**
 * Health is kept in top-level attributes, so the worker updates it with one UpdateItem and an
 * admin's change of the configuration never overwrites it. Items written before health existed
 * read as healthy.
 */
function toWebhook(item: Record<string, unknown>): Webhook {
  const { id, team, name, url, secret, accessToken, createdAt, updatedAt } = item as unknown as Omit<Webhook, 'health'>;
  const health: WebhookHealth = {
    enabled: item.enabled !== false,
    disabledReason: (item.disabledReason as string | undefined) ?? null,
    disabledAt: (item.disabledAt as string | undefined) ?? null,
    failingSince: (item.failingSince as string | undefined) ?? null,
    failedAttempts: Number(item.failedAttempts ?? HEALTHY.failedAttempts),
  };
  const rateLimit = typeof item.rateLimit === 'number' ? item.rateLimit : null;
  // Items written before custom headers existed have none.
  const headers = typeof item.headers === 'object' && item.headers !== null ? (item.headers as Record<string, string>) : {};
  return { id, team, name, url, secret: secret ?? null, accessToken: accessToken ?? null, rateLimit, headers, createdAt, updatedAt, health };
}

/**
 * Health as attributes: the ones that hold a value, and the names of the absent ones (stored as
 * missing, not NULL, so `if_not_exists(failingSince, …)` starts a run, and ADD counts from 0).
 */
function healthAttributes(health: WebhookHealth): { set: Record<string, unknown>; remove: string[] } {
  const set: Record<string, unknown> = {};
  const remove: string[] = [];
  for (const [field, value] of Object.entries(health)) {
    if (value === null || (field === 'failedAttempts' && value === 0)) remove.push(field);
    else set[field] = value;
  }
  return { set, remove };
}

function keyOf(team: string, id: string) {
  return { pk: `TEAM#${team}`, sk: `WEBHOOK#${id}` };
}

/** DynamoDB-backed WebhookStore. */
export class DynamoWebhookStore implements WebhookStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async get(team: string, id: string) {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `TEAM#${team}`, sk: `WEBHOOK#${id}` }, ConsistentRead: true }));
    return Item ? toWebhook(Item) : undefined;
  }

  async list(team: string) {
    const items = await queryAll(this.db, {
      TableName: this.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `TEAM#${team}`, ':prefix': 'WEBHOOK#' }, ConsistentRead: true,
    });
    return items.map(toWebhook).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async create(webhook: Webhook) {
    await this.claimName(webhook);
    try {
      await this.putWebhook(webhook);
    } catch (error) {
      await this.releaseName(webhook.team, webhook.name, webhook.id);
      throw error;
    }
  }

  async update(previous: Webhook, next: Webhook) {
    if (previous.name !== next.name) await this.claimName(next);
    const configuration = { name: next.name, url: next.url, secret: next.secret, accessToken: next.accessToken, rateLimit: next.rateLimit, headers: next.headers, updatedAt: next.updatedAt };
    const health = previous.health.enabled !== next.health.enabled ? healthAttributes(next.health) : { set: {}, remove: [] };
    const set = Object.entries({ ...configuration, ...health.set });
    const names = Object.fromEntries([...set.map(([field], index) => [`#s${index}`, field]), ...health.remove.map((field, index) => [`#r${index}`, field])]);
    const values = Object.fromEntries(set.map(([, value], index) => [`:s${index}`, value]));
    const remove = health.remove.length ? ` REMOVE ${health.remove.map((_, index) => `#r${index}`).join(', ')}` : '';
    await this.db.send(new UpdateCommand({
      TableName: this.table, Key: keyOf(next.team, next.id),
      UpdateExpression: `SET ${set.map((_, index) => `#s${index} = :s${index}`).join(', ')}${remove}`,
      ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeNames: names, ExpressionAttributeValues: values,
    }));
    if (previous.name !== next.name) await this.releaseName(previous.team, previous.name, previous.id);
  }

  async recordFailure(team: string, id: string, at: Date) {
    try {
      const { Attributes } = await this.db.send(new UpdateCommand({
        TableName: this.table, Key: keyOf(team, id),
        UpdateExpression: 'SET failingSince = if_not_exists(failingSince, :at) ADD failedAttempts :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at.toISOString(), ':one': 1 }, ReturnValues: 'ALL_NEW',
      }));
      return { failingSince: Attributes!.failingSince as string, failedAttempts: Number(Attributes!.failedAttempts) };
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
  }

  async recordSuccess(team: string, id: string) {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table, Key: keyOf(team, id), UpdateExpression: 'REMOVE failingSince, failedAttempts', ConditionExpression: 'attribute_exists(pk)',
      }));
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  async disable(team: string, id: string, reason: string, at: Date) {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table, Key: keyOf(team, id),
        UpdateExpression: 'SET enabled = :false, disabledReason = :reason, disabledAt = :at',
        // Items from before health existed have no `enabled`: they are enabled.
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(enabled) OR enabled = :true)',
        ExpressionAttributeValues: { ':false': false, ':true': true, ':reason': reason, ':at': at.toISOString() },
      }));
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async delete(webhook: Webhook) {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { pk: `TEAM#${webhook.team}`, sk: `WEBHOOK#${webhook.id}` } }));
    await this.releaseName(webhook.team, webhook.name, webhook.id);
  }

  private putWebhook(webhook: Webhook) {
    const { health, ...configuration } = webhook;
    return this.db.send(new PutCommand({ TableName: this.table, Item: { ...keyOf(webhook.team, webhook.id), ...configuration, ...healthAttributes(health).set } }));
  }

  private async claimName(webhook: Webhook): Promise<void> {
    const key = { pk: `TEAM#${webhook.team}`, sk: `WEBHOOKNAME#${webhook.name}` };
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: { ...key, webhookId: webhook.id }, ConditionExpression: 'attribute_not_exists(pk)' }));
      return;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    const holder = Item?.webhookId as string | undefined;
    if (holder && (await this.get(webhook.team, holder))) {
      throw conflict(`a webhook named ${webhook.name} already exists`);
    }
    try {
      await this.db.send(new PutCommand({
        TableName: this.table, Item: { ...key, webhookId: webhook.id },
        ConditionExpression: 'attribute_not_exists(pk) OR webhookId = :holder', ExpressionAttributeValues: { ':holder': holder ?? '' },
      }));
    } catch (error) {
      if (isConditionFailed(error)) throw conflict(`a webhook named ${webhook.name} already exists`);
      throw error;
    }
  }

  private async releaseName(team: string, name: string, id: string): Promise<void> {
    try {
      await this.db.send(new DeleteCommand({
        TableName: this.table, Key: { pk: `TEAM#${team}`, sk: `WEBHOOKNAME#${name}` },
        ConditionExpression: 'webhookId = :id', ExpressionAttributeValues: { ':id': id },
      }));
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }
}
