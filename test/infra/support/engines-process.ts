/**
 * Child process of synth-offline.test.ts (run under tsx: fauxqs ships ES modules only, which
 * Jest's module system does not import): the local engines (dynalite, fauxqs, the Secrets
 * Manager emulator) with the three tables and the delivery queue, in `dataDir`. Reports where
 * they listen, then runs until its IPC channel closes or it gets SIGTERM.
 *
 *   node --import tsx engines-process.ts <dataDir>
 */
import { ensureServiceTables, startEngines } from '../../../bin/local/engines';

/** What the process reports once the engines are up. */
export interface EnginesReady {
  type: 'ready';
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  secretsManagerEndpoint: string;
  tables: { config: string; deliveries: string; events: string; limits: string };
  queueUrl: string;
  queueArn: string;
}

async function main(): Promise<void> {
  const engines = await startEngines(process.argv[2]);
  const stop = () => {
    void engines.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  const tables = { config: 'config', deliveries: 'deliveries', events: 'events', limits: 'limits' };
  await ensureServiceTables(engines.dynamodbEndpoint, tables);
  const queue = await engines.createQueue('deliveries', { attributes: { VisibilityTimeout: '60' } });
  const ready: EnginesReady = {
    type: 'ready',
    dynamodbEndpoint: engines.dynamodbEndpoint,
    sqsEndpoint: engines.sqsEndpoint,
    secretsManagerEndpoint: engines.secretsManagerEndpoint,
    tables,
    queueUrl: queue.queueUrl,
    queueArn: queue.queueArn,
  };
  process.send!(ready);
}

main().catch((error: unknown) => {
  process.stderr.write(`engines failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
