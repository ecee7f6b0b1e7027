/**
 * Webhooks in the config table: `TEAM#<team> / WEBHOOK#<id>`, plus a name-claim item
 * `TEAM#<team> / WEBHOOKNAME#<name>` written first with a condition, which makes names
 * unique per team without transactions (DynamoDB Local engines differ in transaction support).
 * A claim left behind by a crash is taken over when the webhook it names is gone.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conflict } from '../../domain/errors';
import type { WebhookStore } from '../../domain/ports';
import type { Webhook } from '../../domain/types';
import { isConditionFailed } from './errors';
import { queryAll } from './query-all';

function toWebhook(item: Record<string, unknown>): Webhook {
  const { id, team, name, url, secret, accessToken, createdAt, updatedAt } = item as unknown as Webhook;
  return { id, team, name, url, secret: secret ?? null, accessToken: accessToken ?? null, createdAt, updatedAt };
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
    await this.putWebhook(next);
    if (previous.name !== next.name) await this.releaseName(previous.team, previous.name, previous.id);
  }

  async delete(webhook: Webhook) {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { pk: `TEAM#${webhook.team}`, sk: `WEBHOOK#${webhook.id}` } }));
    await this.releaseName(webhook.team, webhook.name, webhook.id);
  }

  private putWebhook(webhook: Webhook) {
    return this.db.send(new PutCommand({ TableName: this.table, Item: { pk: `TEAM#${webhook.team}`, sk: `WEBHOOK#${webhook.id}`, ...webhook } }));
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
