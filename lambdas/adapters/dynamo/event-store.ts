/**
 * Accepted events, `pk = <team>#<event id>` (team names hold no `#`), with a TTL. The item
 * holds the event once (as JSON text: DynamoDB numbers cannot hold every JSON number) and the
 * deliveries it made; every delivery of the event renders its body from it.
 */
import { BatchGetCommand, GetCommand, PutCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventRecord, EventStore } from '../../domain/ports';
import { isConditionFailed } from './errors';

/** Rounds of a BatchGetItem in a row that may read nothing before getMany gives up (throttled). */
const MAX_IDLE_ROUNDS = 5;

function keyOf(team: string, eventId: string) {
  return { pk: `${team}#${eventId}` };
}

function toRecord(item: Record<string, unknown>): EventRecord {
  return {
    team: item.team as string,
    eventId: item.eventId as string,
    event: JSON.parse(item.eventJson as string),
    deliveries: item.deliveries as EventRecord['deliveries'],
    createdAt: item.createdAt as string,
  };
}

/** DynamoDB-backed EventStore. */
export class DynamoEventStore implements EventStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async get(team: string, eventId: string) {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keyOf(team, eventId), ConsistentRead: true }));
    return Item ? toRecord(Item) : undefined;
  }

  async getMany(team: string, eventIds: readonly string[]) {
    const found = new Map<string, EventRecord>();
    for (let start = 0; start < eventIds.length; start += 100) {
      let keys: Record<string, unknown>[] | undefined = eventIds.slice(start, start + 100).map((id) => keyOf(team, id));
      // BatchGetItem leaves keys unprocessed past 16 MB of answer (large events) or under load:
      // ask again for those as long as each round reads something, and only a bounded number of
      // rounds that read nothing (throttling), so large records never fail a page.
      for (let idle = 0; keys && keys.length > 0 && idle < MAX_IDLE_ROUNDS;) {
        const answer: BatchGetCommandOutput = await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys } } }));
        const items = answer.Responses?.[this.table] ?? [];
        for (const item of items) found.set(item.eventId as string, toRecord(item));
        idle = items.length > 0 ? 0 : idle + 1;
        keys = answer.UnprocessedKeys?.[this.table]?.Keys;
      }
      if (keys && keys.length > 0) throw new Error(`BatchGetItem left ${keys.length} events unread`);
    }
    return found;
  }

  async putIfAbsent(record: EventRecord, expiresAt: Date) {
    const { event, ...rest } = record;
    try {
      await this.db.send(new PutCommand({
        TableName: this.table,
        Item: { ...keyOf(record.team, record.eventId), ...rest, eventJson: JSON.stringify(event), expiresAt: Math.floor(expiresAt.getTime() / 1000) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return record;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      return (await this.get(record.team, record.eventId)) ?? record;
    }
  }
}
