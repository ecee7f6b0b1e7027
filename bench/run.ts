/**
 * `npm run bench`: the benchmarks of issue 5, one command. Prints a Markdown table and writes
 * the results (with the machine they ran on) to bench/results.json.
 *
 *   BENCH_SCALE=full|tiny (or --scale=…)   sizes; tiny is the smoke test's (seconds, not minutes)
 *   BENCH_RESULTS=path   (or --results=…)  where to write the results (default bench/results.json)
 *   BENCH_ONLY=deliver,manual,e2e,matching,cold,fairness   run only these figures
 *
 * Every figure is measured over several rounds and reported as median with min and max; ratios
 * are taken within a round of this run. Progress goes to stderr, the table to stdout.
 */
import '../bin/quiet-sdk-warning';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runChild } from './child';
import type { ColdStartResult } from './cold-start';
import { costPerMillion, DURATION_ASSUMPTIONS, requestsPerDelivery, type CostEstimate, type RequestsPerDelivery } from './cost';
import type { DeliverPathResult } from './deliver-path';
import { runEndToEnd, type EndToEndResult } from './end-to-end';
import { runFairness, type FairnessResult } from './fairness';
import { runManualRecipe, type ManualRecipeResult } from './manual-recipe';
import type { MatchingResult } from './matching';
import { PRICES, PRICES_CHECKED } from './prices';
import { startBenchReceiver } from './receiver';
import { round } from './stats';
import { scaleFrom, sizesFor, type Scale } from './sizes';
import { renderTable } from './table';

const FIGURES = ['deliver', 'manual', 'e2e', 'matching', 'cold', 'fairness'] as const;
type FigureName = (typeof FIGURES)[number];

/** A target of the issue and whether this run met it. */
export interface Target {
  target: string;
  value: number | number[];
  met: boolean;
}

export interface BenchResults {
  schema: 1;
  scale: Scale;
  date: string;
  durationSeconds: number;
  machine: { cpuModel: string; cores: number; memoryGb: number; node: string; platform: string; release: string; arch: string; loadAverageAtStart: number[]; loadAverageAtEnd?: number[] };
  /** Figures left out, and why (a tool the figure needs is not installed). */
  skipped: Partial<Record<FigureName, string>>;
  /** Wall time of each figure, s. */
  figureSeconds: Partial<Record<FigureName, number>>;
  figures: {
    deliverPath?: DeliverPathResult;
    manualRecipe?: ManualRecipeResult[];
    endToEnd?: EndToEndResult;
    matching?: MatchingResult;
    coldStart?: ColdStartResult;
    fairness?: FairnessResult;
  };
  requests?: RequestsPerDelivery;
  /** Cost per million deliveries with full SQS batches (busy) and with one record per batch (a trickle). */
  cost?: { fullBatches: CostEstimate; singleRecordBatches: CostEstimate; assumptions: typeof DURATION_ASSUMPTIONS; pricesChecked: string; prices: typeof PRICES };
  deliverMemory?: { settingMb: number; bundleLoadedRssMb: number | null; underLoadRssMb: number | null };
  targets: { deliverRatio?: Target; matchingRatio?: Target; coldStart?: Target; secretsManager?: Target; dynamoWrites?: Target; fairness?: Target };
}

/** The deliver Lambda's environment as the stack sets it (lib/functions.ts). */
const LAMBDA_ENV = {
  POWERTOOLS_SERVICE_NAME: 'registry-webhooks',
  POWERTOOLS_METRICS_NAMESPACE: 'RegistryWebhooks',
  LOG_LEVEL: 'INFO',
  AWS_REGION: 'us-east-1',
};

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function option(name: string): string | undefined {
  return process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const started = performance.now();
  const scale = scaleFrom(process.argv, process.env);
  const sizes = sizesFor(scale);
  const resultsPath = path.resolve(option('results') ?? process.env.BENCH_RESULTS ?? path.join(__dirname, 'results.json'));
  const onlyList = (option('only') ?? process.env.BENCH_ONLY ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of onlyList) if (!FIGURES.includes(name as FigureName)) throw new Error(`unknown figure ${name} (known: ${FIGURES.join(', ')})`);
  const runs = (name: FigureName) => onlyList.length === 0 || onlyList.includes(name);
  const cpus = os.cpus();
  const results: BenchResults = {
    schema: 1,
    scale,
    date: new Date().toISOString(),
    durationSeconds: 0,
    machine: {
      cpuModel: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length, memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version, platform: process.platform, release: os.release(), arch: process.arch, loadAverageAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
    },
    figures: {},
    figureSeconds: {},
    skipped: {},
    targets: {},
  };
  /** Runs one figure, timing it. */
  const timed = async <T>(name: FigureName, run: () => Promise<T>): Promise<T> => {
    const figureStarted = performance.now();
    try {
      return await run();
    } finally {
      results.figureSeconds[name] = Math.round((performance.now() - figureStarted) / 100) / 10;
    }
  };
  progress(`scale ${scale}; ${results.machine.cores} × ${results.machine.cpuModel}; node ${process.version}`);

  const receiver = await startBenchReceiver();
  try {
    if (runs('deliver')) {
      progress('1/6 deliver path vs bare POST loop');
      results.figures.deliverPath = await timed('deliver', () => runChild<DeliverPathResult>('deliver-path.ts', [JSON.stringify({ receiverPort: receiver.port, ...sizes.deliver })], { env: LAMBDA_ENV, timeoutMs: 180_000 }));
    }
    const missing = ['bash', 'openssl', 'base64', 'curl'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0);
    if (runs('manual') && missing.length > 0) {
      results.skipped.manual = `not installed: ${missing.join(', ')}`;
      progress(`2/6 manual recipe skipped (${results.skipped.manual})`);
    } else if (runs('manual')) {
      progress('2/6 manual recipe (openssl + curl)');
      const manual: ManualRecipeResult[] = (results.figures.manualRecipe = []);
      await timed('manual', async () => {
        for (const loops of sizes.manual.loops) {
          manual.push(await runManualRecipe(receiver, { rounds: sizes.manual.rounds, deliveriesPerRound: sizes.manual.deliveriesPerRound, loops }));
        }
      });
    }
    if (runs('e2e')) {
      progress('3/6 end to end in local mode (with AWS request counts and RSS)');
      results.figures.endToEnd = await timed('e2e', () => runEndToEnd(receiver, sizes.endToEnd));
    }
  } finally {
    await receiver.close();
  }
  if (runs('matching')) {
    progress(`4/6 matching: ${sizes.matching.small} vs ${sizes.matching.large} automations`);
    results.figures.matching = await timed('matching', () => runChild<MatchingResult>('matching.ts', [JSON.stringify(sizes.matching)], { timeoutMs: 300_000 }));
  }
  if (runs('cold')) {
    progress('5/6 cold-start proxies (bundles and load time)');
    results.figures.coldStart = await timed('cold', () => runChild<ColdStartResult>('cold-start.ts', [JSON.stringify(sizes.coldStart)], { timeoutMs: 300_000 }));
  }
  if (runs('fairness')) {
    progress(`6/6 fairness: a healthy webhook alone, then beside ${sizes.fairness.hungDeliveries} deliveries to another team's hung endpoint`);
    results.figures.fairness = await timed('fairness', () => runFairness(sizes.fairness));
  }

  const f = results.figures;
  if (f.endToEnd && f.endToEnd.deliveries > 0) {
    results.requests = requestsPerDelivery(f.endToEnd.requests, f.endToEnd.deliveries);
    const logBytes = f.deliverPath?.logBytesPerDelivery ?? 0;
    results.cost = {
      fullBatches: costPerMillion(results.requests, logBytes, 10),
      singleRecordBatches: costPerMillion(results.requests, logBytes, 1),
      assumptions: DURATION_ASSUMPTIONS, pricesChecked: PRICES_CHECKED, prices: PRICES,
    };
    results.targets.secretsManager = { target: '0 Secrets Manager calls per delivery in steady state', value: results.requests.secretsManager, met: results.requests.secretsManager <= 0.01 };
    results.targets.dynamoWrites = { target: '≤ 2 DynamoDB writes per successful delivery (deliver Lambda)', value: results.requests.dynamoDb.deliverWrites, met: results.requests.dynamoDb.deliverWrites <= 2 };
  }
  if (f.deliverPath) results.targets.deliverRatio = { target: 'deliver path ≥ 0.8 of the bare POST rate', value: f.deliverPath.ratio.median, met: f.deliverPath.ratio.median >= 0.8 };
  if (f.matching) results.targets.matchingRatio = { target: 'ingest latency ratio 10,000 / 10 automations ≤ 1.3', value: f.matching.ratio.median, met: f.matching.ratio.median <= 1.3 };
  if (f.coldStart) {
    const loads = f.coldStart.bundles.filter((b) => b.memoryMb !== null).map((b) => b.loadMs.median);
    results.targets.coldStart = { target: 'each bundle loads in ≤ 100 ms over bare node', value: loads, met: loads.every((ms) => ms <= 100) };
  }
  if (f.fairness) {
    results.targets.fairness = { target: 'every healthy delivery within 2 s of its 202 beside a hung endpoint', value: f.fairness.beside.maxMs, met: f.fairness.beside.maxMs <= 2000 };
  }
  const deliverBundle = f.coldStart?.bundles.find((b) => b.name === 'deliver');
  if (deliverBundle?.memoryMb) {
    // The setting comes from lib/functions.ts, read by the cold-start child (which loads the CDK code anyway).
    results.deliverMemory = { settingMb: deliverBundle.memoryMb, bundleLoadedRssMb: deliverBundle.rssAfterLoadMb, underLoadRssMb: f.deliverPath?.peakRssMb ?? null };
  }
  results.durationSeconds = Math.round((performance.now() - started) / 100) / 10;
  results.machine.loadAverageAtEnd = os.loadavg().map((v) => Math.round(v * 100) / 100);

  mkdirSync(path.dirname(resultsPath), { recursive: true });
  // Three decimals are plenty for noisy timings, and keep the file readable.
  const tidy = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? round(value, 3) : value);
  writeFileSync(resultsPath, `${JSON.stringify(results, tidy, 2)}\n`);
  const m = results.machine;
  process.stdout.write(`\n${renderTable(results)}\n\n`);
  process.stdout.write(`Machine: ${m.cores} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, ${m.platform} ${m.arch}; load average ${m.loadAverageAtStart[0]} at start, ${m.loadAverageAtEnd?.[0]} at end; ${results.date}; scale ${scale}; ${results.durationSeconds} s.\n`);
  const shown = path.relative(process.cwd(), resultsPath);
  process.stdout.write(`Results: ${shown.startsWith('..') ? resultsPath : shown}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
