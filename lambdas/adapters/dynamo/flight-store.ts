/**
 * What the workers share about the attempts in flight to one webhook, one item per webhook
 * in the limits table: `pk = FLIGHT#<team>#<webhook id>`, holding the slow mark (`slowUntil`,
 * epoch ms) and the lease count of the current epoch (`inFlight`, `epoch`, `leaseUntil`).
 *
 * Leases are a counter, not one item each: taking one is a single conditional update, and a
 * lease is never freed by a cleaner. Every lease of an epoch runs out by `leaseUntil` (each
 * new lease moves it to its own end), so once it has passed every holder is done or dead and
 * the next taker starts a new epoch at 1. A holder that died therefore keeps its place only
 * while other attempts keep the epoch alive, and never more than `cap` places exist. Releases
 * name their epoch, so a late release cannot free a place of the next epoch.
 *
 * Only webhooks marked slow take leases; healthy traffic reads one (usually absent) item,
 * eventually consistent: half a read unit.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FlightStore } from '../../domain/ports';
import { isConditionFailed } from './errors';

/** How long an item outlives its last write (TTL): long past any mark or lease it holds. */
const ITEM_TTL_SECONDS = 86_400;

/** DynamoDB-backed FlightStore. */
export class DynamoFlightStore implements FlightStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async slowUntil(team: string, webhookId: string, now: Date): Promise<Date | null> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: key(team, webhookId), ProjectionExpression: 'slowUntil' }));
    const until = Item?.slowUntil;
    return typeof until === 'number' && until > now.getTime() ? new Date(until) : null;
  }

  async markSlow(team: string, webhookId: string, until: Date): Promise<void> {
    await this.db.send(new UpdateCommand({
      TableName: this.table,
      Key: key(team, webhookId),
      UpdateExpression: 'SET slowUntil = :until, expiresAt = :ttl',
      ExpressionAttributeValues: { ':until': until.getTime(), ':ttl': ttl(until) },
    }));
  }

  async acquire(team: string, webhookId: string, cap: number, now: Date, until: Date): Promise<string | null> {
    const joined = await this.join(team, webhookId, cap, now, until);
    if (joined !== null) return joined;
    // No epoch, or its leases have all run out: start a new one with this lease.
    const epoch = randomUUID();
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: key(team, webhookId),
        UpdateExpression: 'SET inFlight = :one, epoch = :epoch, leaseUntil = :until, expiresAt = :ttl',
        ConditionExpression: 'attribute_not_exists(inFlight) OR leaseUntil <= :now',
        ExpressionAttributeValues: { ':one': 1, ':now': now.getTime(), ':until': until.getTime(), ':ttl': ttl(until), ':epoch': epoch },
      }));
      return epoch;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    // Another worker started the epoch first: join it if a place is left.
    return this.join(team, webhookId, cap, now, until);
  }

  /** A place in the current epoch, while it lasts and has one; null otherwise. */
  private async join(team: string, webhookId: string, cap: number, now: Date, until: Date): Promise<string | null> {
    try {
      const { Attributes } = await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: key(team, webhookId),
        UpdateExpression: 'SET inFlight = inFlight + :one, leaseUntil = :until, expiresAt = :ttl',
        ConditionExpression: 'inFlight < :cap AND leaseUntil > :now',
        ExpressionAttributeValues: { ':one': 1, ':cap': cap, ':now': now.getTime(), ':until': until.getTime(), ':ttl': ttl(until) },
        ReturnValues: 'ALL_NEW',
      }));
      return String(Attributes?.epoch);
    } catch (error) {
      if (isConditionFailed(error)) return null;
      throw error;
    }
  }

  async release(team: string, webhookId: string, token: string): Promise<void> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: key(team, webhookId),
        UpdateExpression: 'SET inFlight = inFlight - :one',
        ConditionExpression: 'epoch = :epoch AND inFlight > :zero',
        ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':epoch': token },
      }));
    } catch (error) {
      // Its epoch is over: the place was freed when the epoch's leases ran out.
      if (!isConditionFailed(error)) throw error;
    }
  }
}

function key(team: string, webhookId: string) {
  return { pk: `FLIGHT#${team}#${webhookId}` };
}

function ttl(until: Date): number {
  return Math.ceil(until.getTime() / 1000) + ITEM_TTL_SECONDS;
}
