/**
 * API keys in the config table, one item per key: `pk = KEY#<sha256>` (the authorizer's
 * lookup is a single GetItem) and `gsi1 = KEYS#<team> / <id>` (listing and deleting by id).
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KeyStore } from '../../domain/ports';
import type { ApiKeyRecord } from '../../domain/types';
import { isConditionFailed } from './errors';
import { queryAll } from './query-all';

function toRecord(item: Record<string, unknown>): ApiKeyRecord {
  return { id: item.id as string, team: item.team as string, role: item.role as ApiKeyRecord['role'], name: item.name as string, createdAt: item.createdAt as string };
}

/** DynamoDB-backed KeyStore. */
export class DynamoKeyStore implements KeyStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async findByHash(hash: string) {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `KEY#${hash}`, sk: 'KEY' }, ConsistentRead: true }));
    return Item ? toRecord(Item) : undefined;
  }

  async create(record: ApiKeyRecord, hash: string) {
    await this.db.send(new PutCommand({
      TableName: this.table,
      Item: { pk: `KEY#${hash}`, sk: 'KEY', gsi1pk: `KEYS#${record.team}`, gsi1sk: record.id, ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
  }

  async listByTeam(team: string) {
    const items = await queryAll(this.db, {
      TableName: this.table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `KEYS#${team}` },
    });
    return items.map(toRecord).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async delete(team: string, id: string) {
    const { Items } = await this.db.send(new QueryCommand({
      TableName: this.table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :id',
      ExpressionAttributeValues: { ':pk': `KEYS#${team}`, ':id': id },
    }));
    const item = Items?.[0];
    if (!item) return false;
    try {
      await this.db.send(new DeleteCommand({
        TableName: this.table, Key: { pk: item.pk, sk: item.sk },
        ConditionExpression: 'team = :team', ExpressionAttributeValues: { ':team': team },
      }));
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }
}
