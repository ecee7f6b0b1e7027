/**
 * The DynamoDB tables' keys and indexes, as plain data. The CDK stack builds its tables
 * from these and the local runner creates the same tables in its embedded engine, so the
 * key design the adapters rely on is written down once.
 */

/** A secondary index. `include` lists non-key attributes to project; absent = ALL. */
export interface IndexDefinition {
  name: string;
  partitionKey: string;
  sortKey?: string;
  include?: string[];
}

/** A table: string keys only (every key in this service is a string). */
export interface TableDefinition {
  partitionKey: string;
  sortKey?: string;
  /** TTL attribute (epoch seconds). */
  ttlAttribute?: string;
  indexes: IndexDefinition[];
}

/** Keys, webhooks (+ name claims) and automations, with the key/matching index `gsi1`. */
export const CONFIG_TABLE: TableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
};

/**
 * Deliveries with their attempts, keyed by team and id. Delivery ids begin with their creation
 * time, so a team's items in descending key order are its log, newest first: the log needs no
 * index, and no write of a delivery pays for one. The sparse `due` index lists deliveries
 * waiting for a retry or a redelivery (for the sweeper); it holds the keys and `attemptCount`.
 */
export const DELIVERIES_TABLE: TableDefinition = {
  partitionKey: 'team',
  sortKey: 'id',
  ttlAttribute: 'expiresAt',
  indexes: [{ name: 'due', partitionKey: 'dueShard', sortKey: 'dueAt', include: ['attemptCount'] }],
};

/**
 * Per-webhook limits, removed by TTL: rate windows (one counter per webhook and second) and the
 * in-flight record (slow mark and leases, one item per webhook: lambdas/adapters/dynamo/flight-store.ts).
 */
export const LIMITS_TABLE: TableDefinition = {
  partitionKey: 'pk',
  ttlAttribute: 'expiresAt',
  indexes: [],
};

/** Accepted events: the event itself (stored once) and the deliveries it made. */
export const EVENTS_TABLE: TableDefinition = {
  partitionKey: 'pk',
  ttlAttribute: 'expiresAt',
  indexes: [],
};
