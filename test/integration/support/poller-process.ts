/**
 * Child process of poison-messages.test.ts (run under tsx: fauxqs ships ES modules only, which
 * Jest's resolver does not load): local mode's engines, a delivery queue with a short visibility
 * timeout and a redrive count of 2 (so a poison message reaches the dead-letter queue in seconds,
 * not local mode's 5 × 30 s), and local mode's SQS poller feeding the real deliver handler. The
 * deliveries table is left uncreated, so a well-formed message fails in the handler (a storage
 * failure) as surely as a malformed one. Reports where the queues are, then runs until its IPC
 * channel closes or it gets SIGTERM. Logs: Powertools JSON lines (ERROR on stderr).
 *
 *   node --import tsx poller-process.ts <dataDir>
 */
import { ensureTable, startEngines } from '../../../bin/local/engines';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CONFIG_TABLE, EVENTS_TABLE, LIMITS_TABLE } from '../../../lib/table-definitions';

/** What the process reports once the poller runs. */
export interface PollerReady {
  type: 'ready';
  sqsEndpoint: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  maxReceiveCount: number;
}

const MAX_RECEIVE_COUNT = 2;

async function main(): Promise<void> {
  const engines = await startEngines(process.argv[2]);
  const dlq = await engines.createQueue('poison-dlq');
  const queue = await engines.createQueue('poison', {
    attributes: { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(MAX_RECEIVE_COUNT) }) },
  });
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    DYNAMODB_ENDPOINT: engines.dynamodbEndpoint,
    SQS_ENDPOINT: engines.sqsEndpoint,
    SECRETS_MANAGER_ENDPOINT: engines.secretsManagerEndpoint,
    CONFIG_TABLE: 'config', DELIVERIES_TABLE: 'deliveries-never-created', EVENTS_TABLE: 'events', LIMITS_TABLE: 'limits',
    DELIVERY_QUEUE_URL: queue.queueUrl,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: engines.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(client, 'config', CONFIG_TABLE);
  await ensureTable(client, 'events', EVENTS_TABLE);
  await ensureTable(client, 'limits', LIMITS_TABLE);
  client.destroy();

  const [{ startSqsPoller }, deliver, clients, observability] = await Promise.all([
    import('../../../bin/local/sqs-poller'),
    import('../../../lambdas/handlers/deliver'),
    import('../../../lambdas/adapters/aws/sqs'),
    import('../../../lambdas/adapters/observability'),
  ]);
  const poller = startSqsPoller({
    sqs: clients.sqs, queueUrl: queue.queueUrl, queueArn: queue.queueArn, handler: deliver.handler, concurrency: 1,
    maxReceiveCount: MAX_RECEIVE_COUNT, log: observability.logger, onError: () => undefined,
  });
  const stop = () => {
    void poller.stop().then(() => engines.stop()).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  const ready: PollerReady = { type: 'ready', sqsEndpoint: engines.sqsEndpoint, queueUrl: queue.queueUrl, deadLetterQueueUrl: dlq.queueUrl, maxReceiveCount: MAX_RECEIVE_COUNT };
  process.send!(ready);
}

main().catch((error: unknown) => {
  process.stderr.write(`poller process failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
