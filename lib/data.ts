/**
 * The three DynamoDB tables, built from lib/table-definitions.ts (which the local runner uses
 * too, so keys and indexes cannot drift). All are on-demand (traffic follows the registry's
 * bursts), have point-in-time recovery and AWS-managed encryption, and are retained when the
 * stack is deleted, because they hold customers' configuration and delivery history.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { CONFIG_TABLE, DELIVERIES_TABLE, EVENTS_TABLE, LIMITS_TABLE, type TableDefinition } from './table-definitions';

const S = dynamodb.AttributeType.STRING;

function buildTable(scope: Construct, id: string, definition: TableDefinition): dynamodb.Table {
  const table = new dynamodb.Table(scope, id, {
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    removalPolicy: RemovalPolicy.RETAIN,
    partitionKey: { name: definition.partitionKey, type: S },
    sortKey: definition.sortKey ? { name: definition.sortKey, type: S } : undefined,
    timeToLiveAttribute: definition.ttlAttribute,
  });
  for (const index of definition.indexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: S },
      sortKey: index.sortKey ? { name: index.sortKey, type: S } : undefined,
      // INCLUDE keeps sparse, hot indexes (the sweeper's `due`) small and cheap.
      ...(index.include
        ? { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: index.include }
        : { projectionType: dynamodb.ProjectionType.ALL }),
    });
  }
  return table;
}

/** The config, deliveries and events tables. */
export class DataTables extends Construct {
  /** API keys (hashes only), webhooks and automations: `pk`/`sk`, GSI `gsi1`. */
  public readonly config: dynamodb.Table;
  /**
   * One record per delivery with its attempts, keyed `team` / `id` (ids sort by creation, so a
   * team's partition is its newest-first log), sparse GSI `due` (deliveries waiting for a
   * retry or a redelivery, for the sweeper), TTL.
   */
  public readonly deliveries: dynamodb.Table;
  /** Accepted events (the event, stored once, and its deliveries): `pk`, TTL. */
  public readonly events: dynamodb.Table;
  /** Per-webhook rate windows, shared by every deliver Lambda: `pk`, TTL. */
  public readonly limits: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.config = buildTable(this, 'ConfigTable', CONFIG_TABLE);
    this.deliveries = buildTable(this, 'DeliveriesTable', DELIVERIES_TABLE);
    this.events = buildTable(this, 'EventsTable', EVENTS_TABLE);
    this.limits = buildTable(this, 'LimitsTable', LIMITS_TABLE);
  }
}
