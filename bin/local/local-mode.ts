/**
 * Starts local mode: engines, tables and queues, the real handlers, the gateway, the queue
 * poller and the sweeper. Environment variables are set before the handler modules are
 * loaded, because those make their AWS clients at module scope, exactly as in Lambda.
 */
import { parseAttemptTimeoutMs } from '../../lambdas/domain/settings';
import { CONFIG_TABLE, DELIVERIES_TABLE, EVENTS_TABLE, LIMITS_TABLE } from '../../lib/table-definitions';
import { ensureServiceTables, startEngines } from './engines';
import { CONSOLE_PATH, consoleServer } from './console-files';
import { localLambdaContext, startGateway } from './gateway';
import { loadLocalKeys, type LocalKeys } from './keys-file';
import { removeRuntime, writeRuntime } from './runtime-file';
import { LOCAL_RESOURCES, type LocalSettings } from './settings';
import { startSqsPoller, type LocalLog } from './sqs-poller';
import { sweepExpiredItems, type SweptTable } from './ttl-sweep';

/** A running local mode. */
export interface LocalMode {
  baseUrl: string;
  /** The web console on the same port (`<baseUrl>/console/`). */
  consoleUrl: string;
  keys: LocalKeys;
  stop(): Promise<void>;
}

/** Redrive count, as in the stack: a message failing this often goes to the DLQ. */
const MAX_RECEIVE_COUNT = 5;

export async function startLocalMode(settings: LocalSettings): Promise<LocalMode> {
  const engines = await startEngines(settings.dataDir);
  try {
    return await startOnEngines(settings, engines);
  } catch (error) {
    await engines.stop();
    throw error;
  }
}

async function startOnEngines(settings: LocalSettings, engines: Awaited<ReturnType<typeof startEngines>>): Promise<LocalMode> {
  // Read with the runtime's own parser: a value the handlers would refuse fails here, at start.
  const attemptTimeoutMs = parseAttemptTimeoutMs(process.env.ATTEMPT_TIMEOUT_MS, 'ATTEMPT_TIMEOUT_MS');
  // As deployed: visibility ≥ 6× the time one batch may take (here: one attempt's limit).
  const visibilitySeconds = Math.max(30, Math.ceil((6 * attemptTimeoutMs) / 1000));
  const dlq = await engines.createQueue(LOCAL_RESOURCES.deadLetterQueue, { attributes: { MessageRetentionPeriod: '1209600' } });
  const queue = await engines.createQueue(LOCAL_RESOURCES.queue, {
    attributes: {
      VisibilityTimeout: String(visibilitySeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(MAX_RECEIVE_COUNT) }),
    },
  });

  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    DYNAMODB_ENDPOINT: engines.dynamodbEndpoint,
    SQS_ENDPOINT: engines.sqsEndpoint,
    SECRETS_MANAGER_ENDPOINT: engines.secretsManagerEndpoint,
    CONFIG_TABLE: LOCAL_RESOURCES.configTable,
    DELIVERIES_TABLE: LOCAL_RESOURCES.deliveriesTable,
    EVENTS_TABLE: LOCAL_RESOURCES.eventsTable,
    LIMITS_TABLE: LOCAL_RESOURCES.limitsTable,
    DELIVERY_QUEUE_URL: queue.queueUrl,
    SWEEP_GRACE_SECONDS: String(visibilitySeconds + 30),
    POWERTOOLS_LOG_LEVEL: process.env.LOG_LEVEL ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'true',
    // As Lambda sets it: Powertools then logs cold_start: true on each handler's first invocation.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  });

  await ensureServiceTables(engines.dynamodbEndpoint, {
    config: LOCAL_RESOURCES.configTable, deliveries: LOCAL_RESOURCES.deliveriesTable, events: LOCAL_RESOURCES.eventsTable, limits: LOCAL_RESOURCES.limitsTable,
  });

  const [api, ingest, authorizer, deliver, sweeper, stores, queues, settingsModule, keysService, sweeperService, clients, dynamoClient, observability] = await Promise.all([
    import('../../lambdas/handlers/api'),
    import('../../lambdas/handlers/ingest'),
    import('../../lambdas/handlers/authorizer'),
    import('../../lambdas/handlers/deliver'),
    import('../../lambdas/handlers/sweeper'),
    import('../../lambdas/adapters/wiring/dynamo'),
    import('../../lambdas/adapters/wiring/queue'),
    import('../../lambdas/adapters/wiring/settings'),
    import('../../lambdas/domain/services/keys'),
    import('../../lambdas/domain/services/sweeper'),
    import('../../lambdas/adapters/aws/sqs'),
    import('../../lambdas/adapters/aws/dynamodb'),
    import('../../lambdas/adapters/observability'),
  ]);
  const deps = { keys: stores.keyStore(), now: settingsModule.systemClock };
  if (engines.indexRepair.removed + engines.indexRepair.restored > 0) {
    observability.logger.warn('index entries repaired at start (left by a kill before writes were atomic)', { ...engines.indexRepair });
  }

  const keys = loadLocalKeys(settings.dataDir, settings.adminKey, settings.registryKey);
  for (const [key, team, role, name] of [
    [keys.adminKey, settings.team, 'admin', 'local admin'],
    [keys.registryKey, '*', 'registry', 'local registry'],
  ] as const) {
    // The printed key must work as printed: one made earlier for another team or role (a
    // restart with a new LOCAL_TEAM) is re-issued for this one.
    const existing = await deps.keys.findByHash(keysService.hashApiKey(key));
    if (existing && existing.team === team && existing.role === role) continue;
    if (existing) await deps.keys.delete(existing.team, existing.id);
    await keysService.issueKey(deps, team, role, name, key);
  }

  // The queue is in memory: after a restart, every unfinished delivery is enqueued again for its due time.
  await sweeperService.requeue({ queue: queues.deliveryQueue() }, await stores.deliveryStore().scanUnfinished());

  const gateway = await startGateway(
    { authorizer: authorizer.handler, routes: { api: api.handler, ingest: ingest.handler }, staticFiles: consoleServer() },
    settings.port,
  );
  const poller = startSqsPoller({
    sqs: clients.sqs,
    queueUrl: queue.queueUrl,
    queueArn: queue.queueArn,
    handler: deliver.handler,
    concurrency: settings.deliverConcurrency,
    maxReceiveCount: MAX_RECEIVE_COUNT,
    log: observability.logger,
    onError: (error) => process.stderr.write(`queue poll failed: ${error instanceof Error ? error.message : String(error)}\n`),
  });
  const sweepTimer = setInterval(() => {
    sweeper.handler({}, localLambdaContext('sweeper', 120_000)).catch((error: unknown) => process.stderr.write(`sweep failed: ${error instanceof Error ? error.message : String(error)}\n`));
  }, settings.sweepIntervalMs);
  const ttlSweep = startTtlSweep(dynamoClient.dynamoDb, settings.ttlSweepIntervalMs, observability.logger);

  const baseUrl = `http://127.0.0.1:${gateway.port}`;
  writeRuntime(settings.dataDir, {
    pid: process.pid, port: gateway.port, baseUrl, dynamodbEndpoint: engines.dynamodbEndpoint, configTable: LOCAL_RESOURCES.configTable,
    sqsEndpoint: engines.sqsEndpoint, queueUrl: queue.queueUrl, deadLetterQueueUrl: dlq.queueUrl,
    secretsManagerEndpoint: engines.secretsManagerEndpoint, secretPrefix: settingsModule.runtimeConfig().secretPrefix,
  });

  return {
    baseUrl,
    consoleUrl: `${baseUrl}${CONSOLE_PATH}`,
    keys,
    async stop() {
      clearInterval(sweepTimer);
      await ttlSweep.stop();
      await new Promise<void>((resolve) => {
        gateway.server.close(() => resolve());
        gateway.server.closeAllConnections();
      });
      await poller.stop();
      removeRuntime(settings.dataDir);
      await engines.stop();
    },
  };
}

/** Every table of the service, as local mode names them: the TTL sweep skips those without a TTL attribute. */
const SWEPT_TABLES: readonly SweptTable[] = [
  { name: LOCAL_RESOURCES.configTable, definition: CONFIG_TABLE },
  { name: LOCAL_RESOURCES.deliveriesTable, definition: DELIVERIES_TABLE },
  { name: LOCAL_RESOURCES.eventsTable, definition: EVENTS_TABLE },
  { name: LOCAL_RESOURCES.limitsTable, definition: LIMITS_TABLE },
];

/**
 * Runs the local TTL (ttl-sweep.ts) now and then every `intervalMs`, one sweep at a time (a slow
 * sweep is not overlapped by the next). The first runs at start: a data directory left alone
 * for weeks is trimmed right away.
 */
function startTtlSweep(db: Parameters<typeof sweepExpiredItems>[0], intervalMs: number, log: LocalLog): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  const run = () => {
    current = sweepExpiredItems(db, SWEPT_TABLES, new Date())
      .then((deleted) => {
        if (Object.values(deleted).some((count) => count > 0)) log.info('expired items deleted', { deleted });
      })
      .catch((error: unknown) => {
        log.error('ttl sweep failed', { error: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(run, intervalMs);
      });
  };
  run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
