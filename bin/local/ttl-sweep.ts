/**
 * Local mode's stand-in for DynamoDB's TTL, which dynalite does not have: without it the data
 * directory only grows (every delivery, event and rate window would be kept forever). Each
 * sweep scans every table that declares a `ttlAttribute` (lib/table-definitions.ts, the same
 * attribute the stack turns TTL on for) and deletes the items whose time (epoch seconds) has
 * passed. As with DynamoDB's TTL, an item without the attribute, or with a non-number in it, is
 * kept; unlike it (DynamoDB may take days), an expired item goes at the next sweep.
 *
 * Each delete is conditional on the item still being expired, so an item rewritten with a later
 * time between the scan and the delete stays. A whole-table scan per sweep is fine for local
 * mode's volumes; deployed, DynamoDB does this itself.
 */
import { DeleteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableDefinition } from '../../lib/table-definitions';

/** A table to sweep: its name in the engine and its definition. */
export interface SweptTable {
  name: string;
  definition: TableDefinition;
}

/** Deletes in flight at once per table: quick, without flooding the embedded engine. */
const PARALLEL_DELETES = 10;

/** One sweep over `tables` at `now`: how many items each table lost (tables without TTL are skipped). */
export async function sweepExpiredItems(db: DynamoDBDocumentClient, tables: readonly SweptTable[], now: Date): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  const nowSeconds = Math.floor(now.getTime() / 1000);
  for (const { name, definition } of tables) {
    const ttl = definition.ttlAttribute;
    if (!ttl) continue;
    deleted[name] = await sweepTable(db, name, definition, ttl, nowSeconds);
  }
  return deleted;
}

async function sweepTable(db: DynamoDBDocumentClient, table: string, definition: TableDefinition, ttl: string, nowSeconds: number): Promise<number> {
  const keyNames = [definition.partitionKey, ...(definition.sortKey ? [definition.sortKey] : [])];
  const names: Record<string, string> = { '#ttl': ttl };
  keyNames.forEach((key, index) => (names[`#k${index}`] = key));
  // `<`, as DynamoDB's TTL: an item expires once its time is in the past. A string there is not compared (type mismatch).
  const expired = { ConditionExpression: '#ttl < :now', ExpressionAttributeNames: { '#ttl': ttl }, ExpressionAttributeValues: { ':now': nowSeconds } };
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({
      TableName: table, ExclusiveStartKey: startKey,
      FilterExpression: '#ttl < :now', ExpressionAttributeNames: names, ExpressionAttributeValues: { ':now': nowSeconds },
      ProjectionExpression: keyNames.map((_, index) => `#k${index}`).join(', '),
    }));
    const keys = (page.Items ?? []).map((item) => Object.fromEntries(keyNames.map((key) => [key, item[key]])));
    for (let start = 0; start < keys.length; start += PARALLEL_DELETES) {
      const results = await Promise.allSettled(keys.slice(start, start + PARALLEL_DELETES).map((Key) => db.send(new DeleteCommand({ TableName: table, Key, ...expired }))));
      for (const result of results) {
        if (result.status === 'fulfilled') count++;
        // Rewritten with a later time since the scan: it stays. Anything else is the sweep's failure.
        else if (!(result.reason instanceof Error && result.reason.name === 'ConditionalCheckFailedException')) throw result.reason;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}
