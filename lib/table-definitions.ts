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
 * Deliveries with their attempts; `byTeam` for the log, sparse `due` for the sweeper. `byTeam`
 * holds only what the log filters on: a full copy would be rewritten (and paid for) on every
 * write of a delivery, claims included; the page's items are read by key instead.
 */
export const DELIVERIES_TABLE: TableDefinition = {
  partitionKey: 'id',
  ttlAttribute: 'expiresAt',
  indexes: [
    { name: 'byTeam', partitionKey: 'team', sortKey: 'createdSk', include: ['automationId', 'webhookId', 'eventId', 'status'] },
    { name: 'due', partitionKey: 'dueShard', sortKey: 'dueAt', include: ['team', 'attemptCount'] },
  ],
};

/** Event idempotency records. */
export const EVENTS_TABLE: TableDefinition = {
  partitionKey: 'pk',
  ttlAttribute: 'expiresAt',
  indexes: [],
};
