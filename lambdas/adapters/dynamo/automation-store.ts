/**
 * Automations in the config table: `TEAM#<team> / AUTOMATION#<id>`. Enabled automations also
 * carry a matching index key `gsi1pk`, so matching an event is a few indexed queries (one per
 * combination of "this project or any" × "this collection or any"): the work grows with the
 * automations that match, not with how many the team has. Disabled ones are left out of the index.
 * - every registry: `MATCH#<team>#<type>#<collection or *>` (the layout from before `event.project`,
 *   so automations stored then are matched as they are, with no migration);
 * - one registry: `MATCHP#<team>#<type>#<length of project>#<project>#<collection or *>`. The
 *   length makes the key unambiguous whatever characters the project holds, and the
 *   `MATCHP#` prefix can never equal a `MATCH#` key.
 * The payload template is kept as JSON text: DynamoDB numbers cannot hold every JSON number.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AutomationStore } from '../../domain/ports';
import type { Automation, EventType } from '../../domain/types';
import { isConditionFailed } from './errors';
import { queryAll } from './query-all';

/**
 * The matching index key of automations of a team, event type, project filter and collection
 * filter (undefined = any). Team names and event types hold no `#`. Project and collection
 * are at most 256 UTF-16 units (≤ 768 bytes of UTF-8) each, so a key stays under 1.7 KB, inside
 * DynamoDB's 2 KB partition key limit.
 */
function matchKey(team: string, type: EventType, project: string | undefined, collection: string | undefined): string {
  const collectionPart = collection ?? '*';
  return project === undefined ? `MATCH#${team}#${type}#${collectionPart}` : `MATCHP#${team}#${type}#${project.length}#${project}#${collectionPart}`;
}

function toItem(automation: Automation): Record<string, unknown> {
  const { action, ...rest } = automation;
  const { payload, ...actionRest } = action;
  const item: Record<string, unknown> = {
    pk: `TEAM#${automation.team}`,
    sk: `AUTOMATION#${automation.id}`,
    ...rest,
    action: actionRest,
    webhookId: action.webhookId,
    payloadJson: payload === undefined ? undefined : JSON.stringify(payload),
  };
  if (automation.enabled) {
    item.gsi1pk = matchKey(automation.team, automation.event.type, automation.event.project, automation.event.collection);
    item.gsi1sk = automation.id;
  }
  return item;
}

function toAutomation(item: Record<string, unknown>): Automation {
  const { id, team, name, description, enabled, event, action, createdAt, updatedAt } = item as unknown as Automation;
  const restored: Automation = { id, team, name, description, enabled, event, action: { ...action }, createdAt, updatedAt };
  if (typeof item.payloadJson === 'string') restored.action.payload = JSON.parse(item.payloadJson);
  return restored;
}

/** DynamoDB-backed AutomationStore. */
export class DynamoAutomationStore implements AutomationStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async get(team: string, id: string) {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `TEAM#${team}`, sk: `AUTOMATION#${id}` }, ConsistentRead: true }));
    return Item ? toAutomation(Item) : undefined;
  }

  async list(team: string) {
    const items = await queryAll(this.db, {
      TableName: this.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `TEAM#${team}`, ':prefix': 'AUTOMATION#' }, ConsistentRead: true,
    });
    return items.map(toAutomation).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async put(automation: Automation) {
    await this.db.send(new PutCommand({ TableName: this.table, Item: toItem(automation) }));
  }

  async delete(team: string, id: string) {
    try {
      await this.db.send(new DeleteCommand({
        TableName: this.table, Key: { pk: `TEAM#${team}`, sk: `AUTOMATION#${id}` }, ConditionExpression: 'attribute_exists(pk)',
      }));
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Keyed queries, made together, one per key the event can match: its collection or any, for
   * its project or any (no single key range covers them). A report without a project reads the
   * any-project keys only. An automation filtering on a collection literally named `*` shares
   * the any-collection key, so the answers are checked for it; and an event of that collection
   * makes two keys the same, so each automation is returned once.
   */
  async findCandidates(team: string, type: EventType, collection: string, project: string) {
    const projects = project === '' ? [undefined] : [undefined, project];
    const keys = [...new Set(projects.flatMap((p) => [matchKey(team, type, p, collection), matchKey(team, type, p, undefined)]))];
    const pages = await Promise.all(keys.map((key) => queryAll(this.db, {
      TableName: this.table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': key },
    })));
    return pages
      .flat()
      .map(toAutomation)
      .filter(({ event }) => (event.collection === undefined || event.collection === collection) && (event.project === undefined || event.project === project));
  }

  async isWebhookInUse(team: string, webhookId: string) {
    const items = await queryAll(this.db, {
      TableName: this.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', FilterExpression: 'webhookId = :hook',
      ExpressionAttributeValues: { ':pk': `TEAM#${team}`, ':prefix': 'AUTOMATION#', ':hook': webhookId }, ProjectionExpression: 'id',
      ConsistentRead: true,
    });
    return items.length > 0;
  }
}
