/**
 * Deliveries table: one item per delivery, keyed `team` / `id`, attempts inside it so recording
 * an attempt is a single conditional write. Delivery ids begin with their creation time
 * (events.ts, deliveryIdFor), so a team's items in descending key order are its log, newest
 * first: pages are read straight from the table, and no write pays for a log index. The event
 * is not in the item (it is stored once, with the event's record), nor the rendered payload
 * (it is rendered again from event and template), so a typical delivery item stays under 1 KB:
 * one write unit per write.
 *
 * The sparse `due` index (dueShard, dueAt) lists deliveries waiting for a retry or a
 * redelivery, for the sweeper. A new delivery gets no `due` entry (the port's `findDue` says
 * why): that saves two index writes (entry and removal) on every delivery that succeeds at its
 * first attempt.
 *
 * Encodings: `dueAt` is ISO text (the index sorts it as a string), `claimUntil` epoch ms, the
 * template JSON text (DynamoDB numbers cannot hold every JSON number), `expiresAt` epoch seconds.
 */
import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { validationError } from '../../domain/errors';
import type { DeliveryQuery, DeliveryStore, DueDelivery } from '../../domain/ports';
import { deliveryIdRange } from '../../domain/delivery-ids';
import { isPossibleId } from '../../domain/id-limits';
import type { Delivery, DeliveryStatus } from '../../domain/types';
import { fitDeliveryItem } from './delivery-item-size';
import { isConditionFailed } from './errors';

/** Shards of the `due` index, so a busy system does not write one hot partition. */
export const DUE_SHARDS = 4;
/** Pages read at most to fill one filtered page of the log (bounds a request's cost). */
const MAX_PAGES_PER_LIST = 10;
/** 9999-12-31T23:59:59.999Z, the latest instant whose ISO form sorts correctly as text. */
const LATEST_ISO_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function dueShard(id: string): string {
  return `DUE#${createHash('sha256').update(id).digest()[0] % DUE_SHARDS}`;
}

/**
 * A time as `dueAt` text. Past year 9999 toISOString() writes "+275760-…", which sorts before
 * every real date: clamp to the last 4-digit year.
 */
function dueText(at: Date): string {
  return new Date(Math.min(at.getTime(), LATEST_ISO_DATE_MS)).toISOString();
}

function isOpen(delivery: Delivery): boolean {
  return delivery.status === 'pending' || delivery.status === 'retrying';
}

function toItem(delivery: Delivery, expiresAt: Date): Record<string, unknown> {
  const { template, ...rest } = delivery;
  return {
    ...rest,
    templateJson: template === undefined ? undefined : JSON.stringify(template),
    expiresAt: Math.floor(expiresAt.getTime() / 1000),
  };
}

function toDelivery(item: Record<string, unknown>): Delivery {
  const { templateJson, expiresAt: _ttl, dueShard: _shard, dueAt: _due, claimUntil: _claim, ...rest } = item;
  return { ...(rest as unknown as Delivery), template: typeof templateJson === 'string' ? JSON.parse(templateJson) : undefined };
}

/**
 * A cursor is the last key read, the team's own: `{team, id}`, base64url JSON. Decoding checks
 * the id as a key (non-empty, not over MAX_ID_LENGTH): DynamoDB refuses such an
 * ExclusiveStartKey with a ValidationException, which must not become a 500.
 */
function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ team: key.team, id: key.id })).toString('base64url');
}

function decodeCursor(cursor: string, team: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key && key.team === team && typeof key.id === 'string' && isPossibleId(key.id)) return { team, id: key.id };
  } catch {
    // fall through: a cursor we did not make
  }
  throw validationError('cursor', 'is not a cursor from this list');
}

/** DynamoDB-backed DeliveryStore. */
export class DynamoDeliveryStore implements DeliveryStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async get(team: string, id: string) {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { team, id }, ConsistentRead: true }));
    return Item ? toDelivery(Item) : undefined;
  }

  async createIfAbsent(delivery: Delivery, expiresAt: Date) {
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: toItem(delivery, expiresAt), ConditionExpression: 'attribute_not_exists(id)' }));
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async saveAttemptResult(delivery: Delivery, expectedAttemptCount: number) {
    return this.conditionalUpdate(fitDeliveryItem(delivery), expectedAttemptCount);
  }

  async claimAttempt(team: string, id: string, expectedAttemptCount: number, now: Date, until: Date) {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: { team, id },
        UpdateExpression: 'SET claimUntil = :until',
        ConditionExpression: 'attemptCount = :expected AND #status IN (:pending, :retrying) AND (attribute_not_exists(claimUntil) OR claimUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':expected': expectedAttemptCount, ':pending': 'pending', ':retrying': 'retrying', ':now': now.getTime(), ':until': until.getTime(),
        },
      }));
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async postpone(team: string, id: string, expectedAttemptCount: number, dueAt: Date) {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: { team, id },
        UpdateExpression: 'SET nextAttemptAt = :next, dueAt = :dueAt',
        // Only an entry of the due index moves: a delivery waiting for its first attempt has none.
        ConditionExpression: 'attemptCount = :expected AND #status IN (:pending, :retrying) AND attribute_exists(dueShard)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':expected': expectedAttemptCount, ':pending': 'pending', ':retrying': 'retrying', ':next': dueAt.toISOString(), ':dueAt': dueText(dueAt),
        },
      }));
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async startNewRound(delivery: Delivery, expectedAttemptCount: number) {
    return this.conditionalUpdate(delivery, expectedAttemptCount);
  }

  /** Writes the delivery's progress if `attemptCount` is still as expected; open ones get a `due` entry. */
  private async conditionalUpdate(delivery: Delivery, expectedAttemptCount: number): Promise<boolean> {
    const open = isOpen(delivery);
    const set = [
      '#status = :status', 'attempts = :attempts', 'attemptCount = :attemptCount', 'roundAttempts = :roundAttempts',
      'nextAttemptAt = :nextAttemptAt', 'updatedAt = :updatedAt', '#url = :url',
      ...(open ? ['dueShard = :dueShard', 'dueAt = :dueAt'] : []),
    ];
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: { team: delivery.team, id: delivery.id },
        // Recording an attempt (or a new round) ends any claim on the attempt (claimAttempt).
        UpdateExpression: `SET ${set.join(', ')} REMOVE claimUntil${open ? '' : ', dueShard, dueAt'}`,
        ConditionExpression: 'attemptCount = :expected',
        ExpressionAttributeNames: { '#status': 'status', '#url': 'url' },
        ExpressionAttributeValues: {
          ':expected': expectedAttemptCount,
          ':status': delivery.status, ':attempts': delivery.attempts, ':attemptCount': delivery.attemptCount,
          ':roundAttempts': delivery.roundAttempts, ':nextAttemptAt': delivery.nextAttemptAt, ':updatedAt': delivery.updatedAt,
          ':url': delivery.url,
          ...(open ? { ':dueShard': dueShard(delivery.id), ':dueAt': dueText(new Date(delivery.nextAttemptAt ?? 0)) } : {}),
        },
      }));
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /**
   * One page of the team's log, newest first: a Query of the team's partition in descending id
   * order. It reads one item more than the page (the first match after it) to know whether
   * anything follows: `nextCursor` is null when nothing more matches. Filters are applied by
   * DynamoDB after reading, so a filtered page may take several reads; these are bounded
   * (MAX_PAGES_PER_LIST). If the bound is reached before that extra match or the end of the
   * partition was seen, a cursor is returned anyway (the read position), and the page it leads
   * to may turn out empty.
   */
  async list(query: DeliveryQuery) {
    const filters: string[] = [];
    const values: Record<string, unknown> = { ':team': query.team };
    const names: Record<string, string> = { '#team': 'team' };
    for (const field of ['automationId', 'webhookId', 'eventId', 'status'] as const) {
      const value = query[field];
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      filters.push(`#${field} = :${field}`);
    }
    const items: Delivery[] = [];
    let startKey = query.cursor ? decodeCursor(query.cursor, query.team) : undefined;
    for (let pages = 0; pages < MAX_PAGES_PER_LIST; pages++) {
      const page = await this.db.send(new QueryCommand({
        TableName: this.table, KeyConditionExpression: '#team = :team', ScanIndexForward: false, ConsistentRead: true,
        FilterExpression: filters.length ? filters.join(' AND ') : undefined,
        ExpressionAttributeNames: names,
        // One more than the page: the extra item tells whether a next page exists.
        ExpressionAttributeValues: values, Limit: query.limit + 1, ExclusiveStartKey: startKey,
      }));
      for (const item of page.Items ?? []) {
        // A match beyond the page: there is more, and it starts right after the last item taken.
        if (items.length === query.limit) return { items, nextCursor: encodeCursor(items[items.length - 1] as unknown as Record<string, unknown>) };
        items.push(toDelivery(item));
      }
      startKey = page.LastEvaluatedKey;
      if (startKey === undefined) return { items, nextCursor: null }; // the partition has no more
    }
    // Out of reads before knowing: go on after everything read (all of it was taken or filtered out).
    return { items, nextCursor: encodeCursor(startKey!) };
  }

  cursorAfter(team: string, delivery: Delivery) {
    return encodeCursor({ team, id: delivery.id });
  }

  /**
   * A range of the team's partition (ids begin with their creation time, so a time window is an
   * id range), oldest first, filtered on webhook and status, page by page up to `limit`.
   */
  async findCreatedBetween(query: { team: string; webhookId: string; since: Date; until: Date; statuses: readonly DeliveryStatus[]; limit: number }) {
    const { from, to } = deliveryIdRange(query.since, query.until);
    const statusValues = Object.fromEntries(query.statuses.map((status, index) => [`:s${index}`, status]));
    const found: Delivery[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({
        TableName: this.table, KeyConditionExpression: '#team = :team AND id BETWEEN :from AND :to', ConsistentRead: true,
        FilterExpression: `webhookId = :webhookId AND #status IN (${Object.keys(statusValues).join(', ')})`,
        ExpressionAttributeNames: { '#team': 'team', '#status': 'status' },
        ExpressionAttributeValues: { ':team': query.team, ':from': from, ':to': to, ':webhookId': query.webhookId, ...statusValues },
        ExclusiveStartKey: startKey,
      }));
      for (const item of page.Items ?? []) if (found.length < query.limit) found.push(toDelivery(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey && found.length < query.limit);
    return found;
  }

  async findDue(dueBefore: Date, limit: number): Promise<DueDelivery[]> {
    const before = dueText(dueBefore);
    // Each shard is read page by page (a Query answer stops at 1 MB) up to `limit` items.
    const readShard = async (shard: number) => {
      const found: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.db.send(new QueryCommand({
          TableName: this.table, IndexName: 'due', KeyConditionExpression: 'dueShard = :shard AND dueAt <= :before',
          ExpressionAttributeValues: { ':shard': `DUE#${shard}`, ':before': before }, Limit: limit - found.length,
          ExclusiveStartKey: startKey,
        }));
        found.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey && found.length < limit);
      return found;
    };
    const shards = await Promise.all(Array.from({ length: DUE_SHARDS }, (_, shard) => readShard(shard)));
    return shards
      .flat()
      .sort((a, b) => (a.dueAt as string).localeCompare(b.dueAt as string))
      .slice(0, limit)
      .map((item) => ({ team: item.team as string, id: item.id as string, attemptCount: Number(item.attemptCount ?? 0), dueAt: new Date(item.dueAt as string) }));
  }

  /**
   * Every unfinished delivery, read from the items themselves (a Scan): local mode's queue is
   * in memory, so at start it enqueues all of them again, new ones included (they have no `due`
   * entry). A whole-table read, for local mode only; deployed, the queue keeps its messages.
   */
  async scanUnfinished(): Promise<DueDelivery[]> {
    const found: DueDelivery[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new ScanCommand({
        TableName: this.table, ExclusiveStartKey: startKey,
        FilterExpression: '#status IN (:pending, :retrying)', ProjectionExpression: '#team, id, attemptCount, nextAttemptAt',
        ExpressionAttributeNames: { '#status': 'status', '#team': 'team' }, ExpressionAttributeValues: { ':pending': 'pending', ':retrying': 'retrying' },
      }));
      for (const item of page.Items ?? []) {
        found.push({ team: item.team as string, id: item.id as string, attemptCount: Number(item.attemptCount ?? 0), dueAt: new Date((item.nextAttemptAt as string | undefined) ?? 0) });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found;
  }
}
