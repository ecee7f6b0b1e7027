/**
 * `npm start`: the whole system on one machine, no AWS account. The same handler modules as
 * the deployed Lambdas, behind a local API Gateway stand-in, fed by a local SQS poller and a
 * periodic sweeper, over embedded DynamoDB/SQS/Secrets Manager engines (see bin/local/).
 */
import './quiet-sdk-warning';
import { readLocalSettings } from './local/settings';
import { startLocalMode } from './local/local-mode';

async function main(): Promise<void> {
  const settings = readLocalSettings();
  const local = await startLocalMode(settings);
  const lines = [
    '',
    'Registry Webhooks — local mode',
    `  API:           ${local.baseUrl}`,
    `  Console:       ${local.consoleUrl}`,
    `  Team:          ${settings.team}`,
    `  Admin key:     ${local.keys.adminKey}`,
    `  Registry key:  ${local.keys.registryKey}`,
    `  Data:          ${settings.dataDir}`,
    '',
    `Try: curl -s ${local.baseUrl}/health`,
    `READY ${local.baseUrl}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping local mode…\n`);
    await local.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`local mode failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
