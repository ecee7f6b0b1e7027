/**
 * `npm run bench` at tiny sizes, as a child process, so the benchmark cannot rot: it must run
 * every figure, print the Markdown table and write results.json in the documented shape.
 * Results go to a temporary file (BENCH_RESULTS), never over the committed bench/results.json.
 * No timing is asserted: these machines are shared and noisy.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function runBench(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'bench'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A median/min/max summary of finite numbers. */
function expectSummary(value: unknown): void {
  expect(value).toEqual(expect.objectContaining({ median: expect.any(Number), min: expect.any(Number), max: expect.any(Number), samples: expect.any(Array) }));
  const summary = value as { median: number; min: number; max: number; samples: number[] };
  expect(summary.samples.length).toBeGreaterThan(0);
  for (const number of [summary.median, summary.min, summary.max, ...summary.samples]) expect(Number.isFinite(number)).toBe(true);
}

const COMMITTED = path.join(ROOT, 'bench', 'results.json');
const readCommitted = () => (existsSync(COMMITTED) ? readFileSync(COMMITTED, 'utf8') : null);

let dir: string;
let run: { code: number | null; stdout: string; stderr: string };
let results: any;
let committedBefore: string | null;

beforeAll(async () => {
  committedBefore = readCommitted();
  dir = mkdtempSync(path.join(os.tmpdir(), 'rw-bench-smoke-'));
  const resultsPath = path.join(dir, 'results.json');
  run = await runBench({ BENCH_SCALE: 'tiny', BENCH_RESULTS: resultsPath });
  if (run.code !== 0) throw new Error(`npm run bench exited ${run.code}:\n${run.stderr.slice(-3000)}`);
  results = JSON.parse(readFileSync(resultsPath, 'utf8'));
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('prints the Markdown table with a row for every figure, and the machine', () => {
  const lines = run.stdout.split('\n');
  expect(lines).toContain('| # | Figure | Median | Min–max / detail | Target |');
  expect(lines).toContain('|---|---|---|---|---|');
  for (const figure of ['1', '2', '3', '4', '5', '6', '7', '8']) {
    expect(lines.some((line) => line.startsWith(`| ${figure} | `))).toBe(true);
  }
  expect(run.stdout).toMatch(/^Machine: \d+ × .+, Node v\d+/m);
});

test('writes results.json with the machine, every figure and the targets', () => {
  expect(results).toMatchObject({ schema: 1, scale: 'tiny' });
  expect(Number.isNaN(Date.parse(results.date))).toBe(false);
  expect(results.machine).toEqual(expect.objectContaining({ cpuModel: expect.any(String), cores: expect.any(Number), node: process.version }));

  const f = results.figures;
  for (const key of ['oursPerSecond', 'barePerSecond', 'ratio', 'oursCpuMsPerDelivery', 'bareCpuMsPerDelivery']) expectSummary(f.deliverPath[key]);
  expect(f.deliverPath.secretsManagerCalls).toBe(0);
  // The manual recipe needs openssl and curl; without them the figure says why it was skipped.
  if (results.skipped.manual) expect(results.skipped.manual).toMatch(/^not installed: /);
  else for (const manual of f.manualRecipe) expectSummary(manual.perSecond);
  for (const key of ['eventsPerSecond', 'deliveriesPerSecond', 'p50LatencyMs', 'p99LatencyMs']) expectSummary(f.endToEnd[key]);
  expect(f.endToEnd.deliveries).toBe(f.endToEnd.rounds * f.endToEnd.eventsPerRound);
  expect(f.endToEnd.peakRssMb).toBeGreaterThan(0);
  for (const key of ['smallMs', 'largeMs', 'ratio']) expectSummary(f.matching[key]);
  for (const phase of [f.fairness.alone, f.fairness.beside]) for (const key of ['p50Ms', 'p99Ms', 'maxMs']) expect(Number.isFinite(phase[key])).toBe(true);
  expect(Number.isFinite(f.fairness.p99Ratio)).toBe(true);
  expect(f.matching.deliveriesPerEvent).toEqual({ small: 1, large: 1 });
  const handlers = f.coldStart.bundles.filter((bundle: { memoryMb: number | null }) => bundle.memoryMb !== null);
  expect(handlers.map((bundle: { name: string }) => bundle.name).sort()).toEqual(['api', 'authorizer', 'deliver', 'ingest', 'sweeper']);
  for (const bundle of f.coldStart.bundles) {
    expect(bundle.bundleBytes).toBeGreaterThan(0);
    expectSummary(bundle.loadMs);
    expectSummary(bundle.ratio);
  }

  // Counted on the real SDK clients: the deliver Lambda reads and writes DynamoDB for every delivery.
  expect(results.requests.dynamoDb.deliverWrites).toBeGreaterThan(0);
  expect(results.requests.dynamoDb.deliverReads).toBeGreaterThan(0);
  expect(results.requests.sqs.send).toBeGreaterThan(0);
  expect(results.requests.secretsManager).toBeGreaterThanOrEqual(0);
  for (const estimate of [results.cost.fullBatches, results.cost.singleRecordBatches]) {
    expect(estimate.total).toBeGreaterThan(0);
    expect(estimate.eventBridgeTotal).toBeGreaterThan(0);
  }
  expect(results.cost.pricesChecked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(results.deliverMemory.settingMb).toBeGreaterThan(0);
  for (const key of ['deliverRatio', 'matchingRatio', 'coldStart', 'secretsManager', 'dynamoWrites', 'fairness']) {
    expect(results.targets[key]).toEqual(expect.objectContaining({ target: expect.any(String), met: expect.any(Boolean) }));
  }
});

test('leaves the committed bench/results.json alone', () => {
  expect(readCommitted()).toBe(committedBefore);
});
