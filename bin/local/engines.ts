/**
 * The embedded engines local mode runs in its own process, each spoken to by the real AWS
 * SDK v3 clients: dynalite (DynamoDB API on LevelDB files, persistent), fauxqs (SQS API, in
 * memory: after a restart the sweeper re-enqueues every unfinished delivery from DynamoDB),
 * and our Secrets Manager emulator (a JSON file). No Docker, no Java. Each listens on
 * 127.0.0.1 only. dynalite's item and index writes are made one LevelDB batch first
 * (dynalite-atomic.ts), so a kill -9 cannot split them, and its indexes are repaired at start.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { makeDynaliteWritesAtomic, repairIndexes } from './dynalite-atomic';
import { CONFIG_TABLE, DELIVERIES_TABLE, EVENTS_TABLE, LIMITS_TABLE, type TableDefinition } from '../../lib/table-definitions';
import { startSecretsManagerEmulator, type SecretsManagerEmulator } from './secrets-manager/server';

/** Running engines and where they listen. */
export interface Engines {
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  secretsManagerEndpoint: string;
  /** Index entries the start-time repair removed and wrote (a data directory from before dynalite-atomic.ts). */
  indexRepair: { removed: number; restored: number };
  /** Creates a queue (over the SQS API) unless it exists; where it is. */
  createQueue(name: string, options?: { attributes?: Record<string, string> }): Promise<{ queueUrl: string; queueArn: string }>;
  stop(): Promise<void>;
}

/** Every engine listens here only: nothing on the network can reach (or delete) local mode's data and queue. */
export const LOOPBACK = '127.0.0.1';

/**
 * fauxqs's app (SQS, SNS and S3 APIs) on a loopback port. Its `startFauxqs` listens on
 * 0.0.0.0 whatever host it is given (fauxqs 1.9), so the app it exports is listened on here.
 */
async function startQueues(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const { buildApp } = await import('fauxqs');
  const app = buildApp({ logger: false });
  await app.listen({ port: 0, host: LOOPBACK });
  const address = app.server.address() as AddressInfo;
  return { endpoint: `http://${LOOPBACK}:${address.port}`, close: () => app.close() };
}

/** Starts dynalite, fauxqs and the Secrets Manager emulator on loopback ports. */
export async function startEngines(dataDir: string): Promise<Engines> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Before dynalite writes anything: an item and its index entries in one LevelDB batch (dynalite-atomic.ts).
  makeDynaliteWritesAtomic();
  const dynalite = (await import('dynalite')).default;
  const dynamo = dynalite({ path: path.join(dataDir, 'dynamodb'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(0, LOOPBACK, () => resolve());
  });
  const closeDynamo = () => new Promise<void>((resolve) => dynamo.close(() => resolve()));
  let indexRepair: Engines['indexRepair'];
  try {
    // Before anything reads the indexes: entries a kill split from their items before the patch.
    indexRepair = await repairIndexes();
  } catch (error) {
    await closeDynamo();
    throw error;
  }
  let queues: Awaited<ReturnType<typeof startQueues>>;
  let secrets: SecretsManagerEmulator;
  try {
    queues = await startQueues();
  } catch (error) {
    await closeDynamo();
    throw error;
  }
  try {
    secrets = await startSecretsManagerEmulator({ dataFile: path.join(dataDir, 'secrets.json') });
  } catch (error) {
    await Promise.allSettled([queues.close(), closeDynamo()]);
    throw error;
  }
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: queues.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return {
    dynamodbEndpoint: `http://${LOOPBACK}:${(dynamo.address() as AddressInfo).port}`,
    sqsEndpoint: queues.endpoint,
    secretsManagerEndpoint: secrets.endpoint,
    indexRepair,
    async createQueue(name, options) {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: options?.attributes }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      return { queueUrl: QueueUrl!, queueArn: Attributes!.QueueArn! };
    },
    async stop() {
      sqs.destroy();
      await Promise.allSettled([
        queues.close(),
        secrets.close(),
        closeDynamo(),
      ]);
    },
  };
}

/** CreateTable input for a table definition (on-demand, like the stack). */
export function createTableInput(name: string, table: TableDefinition): CreateTableCommandInput {
  const keyNames = new Set<string>([table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])]);
  for (const index of table.indexes) {
    keyNames.add(index.partitionKey);
    if (index.sortKey) keyNames.add(index.sortKey);
  }
  const keySchema = (partition: string, sort?: string) => [
    { AttributeName: partition, KeyType: 'HASH' as const },
    ...(sort ? [{ AttributeName: sort, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyNames].map((attribute) => ({ AttributeName: attribute, AttributeType: 'S' as const })),
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    GlobalSecondaryIndexes: table.indexes.length
      ? table.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: keySchema(index.partitionKey, index.sortKey),
          Projection: index.include ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: index.include } : { ProjectionType: 'ALL' as const },
        }))
      : undefined,
  };
}

/** Creates the table unless it exists (data survives restarts). TTL is not emulated locally. */
export async function ensureTable(client: DynamoDBClient, name: string, table: TableDefinition): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
    await client.send(new CreateTableCommand(createTableInput(name, table)));
  }
}

/** The service's table names in one engine. */
export interface ServiceTableNames {
  config: string;
  deliveries: string;
  events: string;
  limits: string;
}

/** Makes sure every table of the service exists in the DynamoDB engine at `endpoint`, under these names. */
export async function ensureServiceTables(endpoint: string, names: ServiceTableNames): Promise<void> {
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await ensureTable(client, names.config, CONFIG_TABLE);
    await ensureTable(client, names.deliveries, DELIVERIES_TABLE);
    await ensureTable(client, names.events, EVENTS_TABLE);
    await ensureTable(client, names.limits, LIMITS_TABLE);
  } finally {
    client.destroy();
  }
}
