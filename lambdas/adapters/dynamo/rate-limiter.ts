/**
 * Per-webhook rate windows in the limits table: one item per webhook and second,
 * `pk = RATE#<team>#<webhook id>#<epoch second>`, counted with an atomic ADD (one write, no
 * condition to fail and retry) and removed by TTL a minute later. Only webhooks with a
 * `rateLimit` pay for it: one write unit per attempt (and per refusal).
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateDecision, RateLimiter } from '../../domain/ports';
import { decideRate, windowOf } from '../../domain/rate-windows';

/** How long a window's counter is kept (TTL) after its second: long enough for stragglers. */
const WINDOW_TTL_SECONDS = 60;

/** DynamoDB-backed RateLimiter. */
export class DynamoRateLimiter implements RateLimiter {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async take(team: string, webhookId: string, limit: number, now: Date): Promise<RateDecision> {
    const window = windowOf(now);
    const { Attributes } = await this.db.send(new UpdateCommand({
      TableName: this.table,
      Key: { pk: `RATE#${team}#${webhookId}#${window}` },
      UpdateExpression: 'ADD attempts :one SET expiresAt = :expires',
      ExpressionAttributeValues: { ':one': 1, ':expires': window + WINDOW_TTL_SECONDS },
      ReturnValues: 'UPDATED_NEW',
    }));
    const count = Number(Attributes?.attempts ?? 1);
    return decideRate(window, count, limit, now);
  }
}
