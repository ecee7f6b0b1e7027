/**
 * Local mode (what `npm start` runs: bin/local/local-mode.ts, in process) with the AWS request
 * counter on its SDK clients and an RSS sampler, driven over IPC by end-to-end.ts. Settings come
 * from the environment exactly as for `npm start` (PORT, LOCAL_DATA_DIR, WEBHOOK_ALLOW_HOSTS, ...).
 */
import '../bin/quiet-sdk-warning';
import { startLocalMode } from '../bin/local/local-mode';
import { readLocalSettings } from '../bin/local/settings';
import { AwsRequestCounter } from './aws-requests';
import { serveRequests } from './child';

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const settings = readLocalSettings();
  const local = await startLocalMode(settings);
  // Loaded by local mode already (after it set the endpoints): this is the same module instance.
  const [{ dynamoDb }, { sqs }, { secretsManager }] = await Promise.all([
    import('../lambdas/adapters/aws/dynamodb'),
    import('../lambdas/adapters/aws/sqs'),
    import('../lambdas/adapters/aws/secrets-manager'),
  ]);
  const counter = new AwsRequestCounter();
  counter.install({ dynamoDb, sqs, secretsManager });

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 25);

  serveRequests({
    reset() {
      counter.reset();
      peakRss = process.memoryUsage().rss;
      return null;
    },
    report() {
      const rss = process.memoryUsage().rss;
      peakRss = Math.max(peakRss, rss);
      return {
        requests: counter.snapshot(),
        peakRssMb: peakRss / MB,
        rssMb: rss / MB,
        heapUsedMb: process.memoryUsage().heapUsed / MB,
        maxRssMb: process.resourceUsage().maxRSS / 1024,
      };
    },
  });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(sampler);
    await local.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
  process.send!({ type: 'ready', baseUrl: local.baseUrl, adminKey: local.keys.adminKey, registryKey: local.keys.registryKey, team: settings.team, rssMb: process.memoryUsage().rss / MB });
}

main().catch((error: unknown) => {
  process.stderr.write(`local mode (bench) failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
