/** Accepted events, `pk = <team>#<event id>` (team names hold no `#`), with a TTL. */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventRecord, EventStore } from '../../domain/ports';
import { isConditionFailed } from './errors';

/** DynamoDB-backed EventStore. */
export class DynamoEventStore implements EventStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async get(team: string, eventId: string) {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `${team}#${eventId}` }, ConsistentRead: true }));
    return Item ? (Item.record as EventRecord) : undefined;
  }

  async putIfAbsent(record: EventRecord, expiresAt: number) {
    try {
      await this.db.send(new PutCommand({
        TableName: this.table, Item: { pk: `${record.team}#${record.eventId}`, record, expiresAt }, ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return record;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      return (await this.get(record.team, record.eventId)) ?? record;
    }
  }
}
