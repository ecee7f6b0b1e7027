/**
 * Figure 5 — cold-start proxies (child process; see run.ts). Each handler is bundled as the
 * stack bundles it: with the esbuild JS API and the stack's own bundling options
 * (`BUNDLING` in lib/functions.ts, mapped by {@link esbuildOptions}). Then, in
 * fresh `node` processes, the bundle is loaded as the main script (which runs its module scope:
 * SDK clients, Powertools, ...) and timed wall-clock against an empty script, interleaved,
 * `repeats` times, with the environment the stack gives the functions. One more run per
 * bundle reports the RSS right after loading. Two reference bundles (reference-bundles/) show
 * what the SDK's DynamoDB client alone and the sender's HTTP client alone (node:http/https Agents)
 * cost the same way.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build, type BuildOptions } from 'esbuild';
import { BUNDLING, FUNCTION_SPECS, LAMBDA_RUNTIME, type FunctionName } from '../lib/functions';
import { childMain } from './child';
import { summarize, type Summary } from './stats';

export interface ColdStartOptions {
  repeats: number;
}

export interface BundleFigures {
  /** A handler, or `reference: …`. */
  name: string;
  /** The Lambda's memory setting (null for references). */
  memoryMb: number | null;
  bundleBytes: number;
  /** Wall time of `node <bundle>` minus `node <empty>`, per interleaved pair, ms. */
  loadMs: Summary;
  /** Wall time of `node <bundle>` / `node <empty>`, per pair. */
  ratio: Summary;
  /** RSS of the process right after loading the bundle, MB. */
  rssAfterLoadMb: number;
}

export interface ColdStartResult {
  target: string;
  emptyScriptMs: Summary;
  bundles: BundleFigures[];
}

const ROOT = path.resolve(__dirname, '..');

/**
 * esbuild JS API options that bundle as NodejsFunction does with `bundling` (its esbuild
 * command line: `--bundle --platform=node --target=… --format=… --minify --main-fields=…
 * --external:…`). Only the options the stack uses are mapped; any other one throws, so a
 * new option in lib/functions.ts cannot make the bench (or the infra test that bundles with
 * it) quietly bundle differently from the stack.
 */
export function esbuildOptions(bundling: Readonly<BundlingOptions> = BUNDLING): BuildOptions {
  const { minify, sourceMap, target, format, mainFields, externalModules, forceDockerBundling, esbuildArgs, ...others } = bundling;
  // `--alias:<package>` arguments are the only esbuild arguments the stack passes.
  const alias: Record<string, string> = {};
  for (const [argument, value] of Object.entries(esbuildArgs ?? {})) {
    const name = /^--alias:(.+)$/.exec(argument)?.[1];
    if (name === undefined || typeof value !== 'string') throw new Error(`esbuildOptions (bench/cold-start.ts) cannot map esbuild argument ${argument}: add it there`);
    alias[name] = value;
  }
  const unmapped = Object.entries(others).filter(([, value]) => value !== undefined).map(([key]) => key);
  // With source maps NodejsFunction also sets NODE_OPTIONS=--enable-source-maps, which the bench does not.
  if (sourceMap) unmapped.push('sourceMap: true');
  if (forceDockerBundling === true) unmapped.push('forceDockerBundling: true');
  // Unset, NodejsFunction picks the externals itself (by runtime and bundleAwsSDK).
  if (externalModules === undefined) unmapped.push('externalModules left unset');
  if (unmapped.length > 0) throw new Error(`esbuildOptions (bench/cold-start.ts) cannot map bundling option(s) ${unmapped.join(', ')}: add them there`);
  return {
    bundle: true,
    platform: 'node',
    target: target ?? LAMBDA_RUNTIME.esbuildTarget,
    ...(format ? { format } : {}),
    minify: minify ?? false,
    sourcemap: false,
    ...(mainFields ? { mainFields: [...mainFields] } : {}),
    external: [...(externalModules ?? [])],
    ...(Object.keys(alias).length > 0 ? { alias } : {}),
  };
}

const HANDLERS: FunctionName[] = ['authorizer', 'api', 'ingest', 'deliver', 'sweeper'];
/** Bundle name → entry file (relative to the project). */
const ENTRIES = new Map<string, string>([
  ...HANDLERS.map((name) => [name, `lambdas/handlers/${name}.ts`] as [string, string]),
  ['reference: DynamoDB document client only', 'bench/reference-bundles/dynamodb-client.ts'],
  ['reference: node:http + node:https Agents only', 'bench/reference-bundles/node-http-agents.ts'],
]);
const NAMES = [...ENTRIES.keys()];

/** The environment the stack gives the functions (lib/functions.ts), with placeholder resource names. */
function lambdaEnvironment(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    POWERTOOLS_SERVICE_NAME: 'registry-webhooks',
    POWERTOOLS_METRICS_NAMESPACE: 'RegistryWebhooks',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // Set by Lambda: with it the tracer is on (and captures the clients) as deployed.
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NODE_OPTIONS: '',
    CONFIG_TABLE: 'config',
    DELIVERIES_TABLE: 'deliveries',
    EVENTS_TABLE: 'events',
    DELIVERY_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries',
    SECRET_PREFIX: 'registry-webhooks',
    WEBHOOK_ALLOW_HOSTS: '',
  };
}

/** Wall-clock ms of one `node <script>` run. */
function timeNode(script: string, env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, [script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = performance.now() - started;
  if (run.status !== 0) throw new Error(`node ${script} failed: ${run.stderr.toString('utf8').slice(0, 500)}`);
  return elapsed;
}

async function main(): Promise<ColdStartResult> {
  const options = JSON.parse(process.argv[2]) as ColdStartOptions;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rw-bench-bundles-'));
  try {
    const empty = path.join(dir, 'empty.js');
    writeFileSync(empty, '');
    const bundles = new Map<string, string>();
    for (const [index, [name, entry]] of [...ENTRIES].entries()) {
      const outfile = path.join(dir, `bundle-${index}`, 'index.js');
      await build({ ...esbuildOptions(), entryPoints: [path.join(ROOT, entry)], outfile, logLevel: 'warning', absWorkingDir: ROOT });
      bundles.set(name, outfile);
    }

    const empties: number[] = [];
    const samples = new Map<string, { load: number[]; ratio: number[] }>(NAMES.map((name) => [name, { load: [], ratio: [] }]));
    const env = lambdaEnvironment();
    // One untimed pass warms the OS file cache.
    timeNode(empty, env);
    for (const file of bundles.values()) timeNode(file, env);
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      for (const name of NAMES) {
        const base = timeNode(empty, env);
        const loaded = timeNode(bundles.get(name)!, env);
        empties.push(base);
        samples.get(name)!.load.push(loaded - base);
        samples.get(name)!.ratio.push(loaded / base);
      }
    }

    const figures: BundleFigures[] = [];
    for (const [index, name] of NAMES.entries()) {
      const file = bundles.get(name)!;
      const probe = path.join(dir, `rss-${index}.js`);
      writeFileSync(probe, `require(${JSON.stringify(file)}); process.stderr.write(String(process.memoryUsage().rss));`);
      const run = spawnSync(process.execPath, [probe], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      figures.push({
        name,
        memoryMb: name in FUNCTION_SPECS ? FUNCTION_SPECS[name as FunctionName].memoryMb : null,
        bundleBytes: statSync(file).size,
        loadMs: summarize(samples.get(name)!.load),
        ratio: summarize(samples.get(name)!.ratio),
        rssAfterLoadMb: Number(run.stderr.toString('utf8')) / (1024 * 1024),
      });
    }
    return { target: LAMBDA_RUNTIME.esbuildTarget, emptyScriptMs: summarize(empties), bundles: figures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) childMain(main);
