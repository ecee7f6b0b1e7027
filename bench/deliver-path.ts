/**
 * Figure 1 — the deliver path against the limit (child process; see run.ts).
 *
 * Ours: the deliver Lambda's real handler, bundled as the stack bundles it (deliver-path-entry.ts),
 * (`createDeliverHandler`: Powertools batch processing,
 * parse, load delivery + webhook + secrets, render, sign, claim, SSRF-guarded POST with the
 * product's node:http sender, record the attempt, metrics and logs) on SQS-shaped batches of
 * `batchSize` records, `concurrency` batches at a time. The sender, the secret store (with its
 * cache) and the settings are the ones lambdas/adapters/wiring/ builds for the Lambda; the SDK's
 * Secrets Manager client answers GetSecretValue in process (and counts the calls). Deliveries,
 * events and webhooks are held by the in-memory adapter set (lambdas/adapters/memory/, the one
 * the contract suite checks against DynamoDB): storage cost is left out (deployed, the Lambda
 * waits on DynamoDB instead).
 * Bare: a keep-alive POST loop on the same client as the sender (node:http, an Agent with the
 * sender's pool settings, explicit Content-Length), without the SSRF guard, with
 * `concurrency × batchSize` requests in flight, sending the same body and headers to the
 * same receiver. Rounds alternate which one goes first; each side runs long enough (the bare
 * loop sends more per round) that a round is about a second of each.
 */
import './stdout-meter';
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DeliveryWorkerDeps } from '../lambdas/domain/services/delivery-worker';
import type { Delivery } from '../lambdas/domain/types';
import { childMain } from './child';
import { esbuildOptions } from './cold-start';
import { ACCESS_TOKEN, benchEvent, SIGNING_SECRET, TEMPLATE } from './fixtures';
import { round, summarize, type Summary } from './stats';
import { stdoutBytes } from './stdout-meter';

/** Sizes, from run.ts. */
export interface DeliverPathOptions {
  receiverPort: number;
  rounds: number;
  deliveriesPerRound: number;
  /** POSTs per round of the bare loop: more than the deliver path's, so both run about as long. */
  barePostsPerRound: number;
  warmupDeliveries: number;
  /** SQS batches handled at the same time. */
  concurrency: number;
  batchSize: number;
}

/** What the child reports. */
export interface DeliverPathResult {
  storage: string;
  inFlight: number;
  batchSize: number;
  oursPerSecond: Summary;
  barePerSecond: Summary;
  ratio: Summary;
  /** CPU time (user + system) of this process per delivery, ms. */
  oursCpuMsPerDelivery: Summary;
  bareCpuMsPerDelivery: Summary;
  /** stdout bytes (JSON logs + EMF metrics) per delivery. */
  logBytesPerDelivery: number;
  /** GetSecretValue calls the deliver path made in the measured rounds (the cache should make this 0). */
  secretsManagerCalls: number;
  /** Peak RSS of this process over the whole figure, MB. */
  peakRssMb: number;
  deliveriesPerRound: number;
  rounds: number;
}

const TEAM = 'bench';
const HOST = 'localhost';

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** The figure's code, bundled as the stack bundles the deliver Lambda, and loaded. */
async function loadBundledRuntime(): Promise<typeof import('./deliver-path-entry')> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rw-bench-deliver-'));
  try {
    const outfile = path.join(dir, 'index.js');
    const root = path.resolve(__dirname, '..');
    await build({ ...esbuildOptions(), entryPoints: [path.join(__dirname, 'deliver-path-entry.ts')], outfile, logLevel: 'warning', absWorkingDir: root });
    return require(outfile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<DeliverPathResult> {
  const options = JSON.parse(process.argv[2]) as DeliverPathOptions;
  const {
    secretsManager, MemoryDeliveryStore, MemoryEventStore, MemoryFlightStore, MemoryNotifier, MemoryQueue, MemoryRateLimiter, MemoryWebhookStore, HEALTHY,
    secretStore, webhookSender, runtimeConfig, systemClock, prepareRequest, createDeliverHandler, InFlightGuard, CLAIM_MARGIN_MS,
  } = await loadBundledRuntime();
  const url = `http://${HOST}:${options.receiverPort}/hooks/deliver`;
  // The Lambda's own wiring (lambdas/adapters/wiring/) with the deployed defaults (15 s attempt
  // timeout, ...), the receiver's host exempt from the address rules.
  process.env.WEBHOOK_ALLOW_HOSTS = HOST;
  const [sender, secrets, config] = [webhookSender(), secretStore(), runtimeConfig()];
  const secretValues = new Map([[`${config.secretPrefix}/${TEAM}/HMAC_KEY`, SIGNING_SECRET], [`${config.secretPrefix}/${TEAM}/GH_TOKEN`, ACCESS_TOKEN]]);
  const secretsClient = answerSecretsInProcess(secretsManager, secretValues);
  // The sender's pool settings (lambdas/adapters/http-sender.ts: keep-alive, 50 per origin, LIFO, 4 s idle).
  const bare = new http.Agent({ keepAlive: true, maxSockets: 50, scheduling: 'lifo', timeout: 4000 });
  const inFlight = options.concurrency * options.batchSize;

  /** Fresh stores holding `count` pending deliveries and their events; returns the deps and SQS batches for them. */
  async function prepare(label: string, count: number): Promise<{ deps: DeliveryWorkerDeps; batches: SQSEvent[]; ids: string[] }> {
    const deps = {
      deliveries: new MemoryDeliveryStore(), webhooks: new MemoryWebhookStore(), events: new MemoryEventStore(), queue: new MemoryQueue(),
      secrets, sender, config, notifier: new MemoryNotifier(), rateLimiter: new MemoryRateLimiter(),
      // The figure measures one webhook's throughput: the process's share per webhook is every record in flight.
      inFlight: new InFlightGuard(new MemoryFlightStore(), systemClock, config.attemptTimeoutMs, CLAIM_MARGIN_MS, Math.random, inFlight), now: systemClock,
    };
    const at = new Date().toISOString();
    await deps.webhooks.create({ id: 'wh_bench', team: TEAM, name: 'bench', url, secret: 'HMAC_KEY', accessToken: 'GH_TOKEN', rateLimit: null, headers: {}, createdAt: at, updatedAt: at, health: { ...HEALTHY } });
    const records: SQSRecord[] = [];
    for (let index = 0; index < count; index++) {
      const id = `dlv_${label}_${index}`;
      const delivery: Delivery = {
        id, team: TEAM, eventId: `evt_${label}_${index}`, automationId: 'au_bench', webhookId: 'wh_bench', url, status: 'pending',
        attempts: [], attemptCount: 0, roundAttempts: 0, nextAttemptAt: at, createdAt: at, updatedAt: at, template: TEMPLATE,
      };
      const event = benchEvent(delivery.eventId, Date.now());
      await deps.events.putIfAbsent({ team: TEAM, eventId: event.id, event, deliveries: [{ id, automationId: 'au_bench', webhookId: 'wh_bench' }], createdAt: at });
      await deps.deliveries.createIfAbsent(delivery);
      records.push(sqsRecord(id, index));
    }
    const batches: SQSEvent[] = [];
    for (let start = 0; start < records.length; start += options.batchSize) batches.push({ Records: records.slice(start, start + options.batchSize) });
    return { deps, batches, ids: records.map((record) => JSON.parse(record.body).deliveryId as string) };
  }

  /** Runs the deliver handler over the batches, `concurrency` at a time; returns deliveries/s and CPU ms/delivery. */
  async function runOurs(label: string, count: number) {
    const { deps, batches, ids } = await prepare(label, count);
    const handler = createDeliverHandler(() => deps);
    let next = 0;
    let failures = 0;
    const cpu0 = cpuMs();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: options.concurrency }, async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        const answer = await handler(batch);
        failures += answer.batchItemFailures.length;
      }
    }));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuMs() - cpu0;
    const stored = await Promise.all(ids.map((id) => deps.deliveries.get(TEAM, id)));
    const succeeded = stored.filter((delivery) => delivery?.status === 'succeeded').length;
    if (failures > 0 || succeeded !== count) throw new Error(`deliver path: ${succeeded} of ${count} succeeded, ${failures} batch item failures`);
    return { perSecond: count / seconds, cpuPerDelivery: cpu / count };
  }

  // The bare loop sends what a real delivery sends: same body bytes and headers.
  const sample = await prepare('sample', 1);
  const webhook = (await sample.deps.webhooks.get(TEAM, 'wh_bench'))!;
  const delivery = (await sample.deps.deliveries.get(TEAM, 'dlv_sample_0'))!;
  const event = (await sample.deps.events.get(TEAM, delivery.eventId))!.event;
  const request = (await prepareRequest(sample.deps, webhook, delivery.template, event, delivery.id)).signedAt(new Date());
  const target = new URL(request.url);

  async function runBare(count: number) {
    let next = 0;
    const cpu0 = cpuMs();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < count) {
        next++;
        const { status } = await barePost(bare, target, request.headers, Buffer.from(request.body, 'utf8'));
        if (status !== 200) throw new Error(`bare POST answered ${status}`);
      }
    }));
    const seconds = (performance.now() - t0) / 1000;
    return { perSecond: count / seconds, cpuPerDelivery: (cpuMs() - cpu0) / count };
  }

  // Warm-up: JIT, connection pools, the receiver.
  await runOurs('warm', options.warmupDeliveries);
  await runBare(options.warmupDeliveries);

  const ours: number[] = [];
  const bareRates: number[] = [];
  const ratios: number[] = [];
  const oursCpu: number[] = [];
  const bareCpu: number[] = [];
  let logBytes = 0;
  const secretCallsBefore = secretsClient.calls();
  for (let r = 0; r < options.rounds; r++) {
    let o: { perSecond: number; cpuPerDelivery: number };
    let b: { perSecond: number; cpuPerDelivery: number };
    const runMeasuredOurs = async () => {
      const before = stdoutBytes();
      const result = await runOurs(`r${r}`, options.deliveriesPerRound);
      logBytes += stdoutBytes() - before;
      return result;
    };
    if (r % 2 === 0) {
      o = await runMeasuredOurs();
      b = await runBare(options.barePostsPerRound);
    } else {
      b = await runBare(options.barePostsPerRound);
      o = await runMeasuredOurs();
    }
    ours.push(o.perSecond);
    bareRates.push(b.perSecond);
    ratios.push(o.perSecond / b.perSecond);
    oursCpu.push(o.cpuPerDelivery);
    bareCpu.push(b.cpuPerDelivery);
  }
  bare.destroy();
  return {
    storage: 'in memory (lambdas/adapters/memory/) for deliveries, events and webhooks; sender, secret store and its cache as lambdas/adapters/wiring/ builds them',
    inFlight,
    batchSize: options.batchSize,
    oursPerSecond: summarize(ours),
    barePerSecond: summarize(bareRates),
    ratio: summarize(ratios),
    oursCpuMsPerDelivery: summarize(oursCpu),
    bareCpuMsPerDelivery: summarize(bareCpu),
    secretsManagerCalls: secretsClient.calls() - secretCallsBefore,
    logBytesPerDelivery: round(logBytes / (options.rounds * options.deliveriesPerRound), 1),
    peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
    deliveriesPerRound: options.deliveriesPerRound,
    rounds: options.rounds,
  };
}

/** One POST on `agent`, reading the whole (small) answer as text, as the sender does. */
function barePost(agent: http.Agent, target: URL, headers: Record<string, string>, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      agent, method: 'POST', hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}`,
      headers: { ...headers, 'content-length': String(body.length) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Makes the client answer GetSecretValue from `values`, without a network call, and count the calls. */
function answerSecretsInProcess(client: SecretsManagerClient, values: Map<string, string>) {
  let calls = 0;
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      calls++;
      if (context.commandName !== 'GetSecretValueCommand') throw new Error(`unexpected ${context.commandName}`);
      const { SecretId: id, VersionStage: stage } = args.input as { SecretId: string; VersionStage?: string };
      const value = values.get(id);
      // One version each, made long ago: no rotation is under way, as in steady state.
      if (value === undefined || (stage ?? 'AWSCURRENT') !== 'AWSCURRENT') throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
      return { output: { $metadata: {}, Name: id, SecretString: value, VersionId: `v-${id}`, CreatedDate: new Date(0), VersionStages: ['AWSCURRENT'] }, response: {} };
    },
    { step: 'initialize', name: 'benchSecretsStub' },
  );
  return { calls: () => calls };
}

function sqsRecord(deliveryId: string, index: number): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: `msg-${deliveryId}`,
    receiptHandle: `rh-${index}`,
    body: JSON.stringify({ team: TEAM, deliveryId, attempt: 1, notBefore: Date.now() }),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: 'bench', ApproximateFirstReceiveTimestamp: now },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:registry-webhooks-deliveries',
    awsRegion: 'us-east-1',
  };
}

if (require.main === module) childMain(main);
