/**
 * `<data dir>/runtime.json`: where a running local mode listens, so the admin CLI
 * (`npm run keys -- … --local`) can reach the same embedded DynamoDB while it runs
 * (its LevelDB files are locked by the running process).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What a running local mode publishes about itself. */
export interface LocalRuntime {
  pid: number;
  port: number;
  baseUrl: string;
  dynamodbEndpoint: string;
  configTable: string;
  /** The local SQS (fauxqs): the delivery queue and its dead-letter queue, to inspect or redrive with the AWS CLI or SDK. */
  sqsEndpoint: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  /** The local Secrets Manager: point the AWS CLI or SDK here to manage secrets "in the console". */
  secretsManagerEndpoint: string;
  secretPrefix: string;
}

function fileIn(dataDir: string): string {
  return path.join(dataDir, 'runtime.json');
}

/** Publishes the runtime facts (mode 0600). */
export function writeRuntime(dataDir: string, runtime: LocalRuntime): void {
  writeFileSync(fileIn(dataDir), JSON.stringify(runtime, null, 2), { mode: 0o600 });
}

/** Removes them on a clean stop. */
export function removeRuntime(dataDir: string): void {
  rmSync(fileIn(dataDir), { force: true });
}

/** Reads them; undefined when local mode is not running there (or crashed: its pid is gone). */
export function readRuntime(dataDir: string): LocalRuntime | undefined {
  let runtime: LocalRuntime;
  try {
    runtime = JSON.parse(readFileSync(fileIn(dataDir), 'utf8')) as LocalRuntime;
  } catch {
    return undefined;
  }
  try {
    process.kill(runtime.pid, 0);
    return runtime;
  } catch {
    return undefined;
  }
}
