/**
 * Figure 4 — matching at scale (child process; see run.ts). Local engines (dynalite, fauxqs),
 * the real DynamoDB and SQS adapters, and the ingest service `reportEvent` (what the ingest
 * Lambda runs for `POST /teams/{team}/events`: idempotency check, matching, delivery record,
 * enqueue, event record). Two teams in the same tables: `small` has `small` automations, `large`
 * has `large`; in each exactly one matches the event (scoped to the event's registry and model).
 * The others are spread over the eight event types, many collections and registries (some with
 * no collection or no registry, of other types), as a big team's would be; one in ten is a
 * decoy that only the registry filter rules out (the event's type and model, another
 * registry): were the project filter applied after a query by collection, the large team would
 * read a thousand of them per event. Each round times `eventsPerRound` reports for each team, one at a time, in
 * alternating order; the ratio is taken per round.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureTable, startEngines } from '../bin/local/engines';
import { DynamoAutomationStore } from '../lambdas/adapters/dynamo/automation-store';
import { DynamoDeliveryStore } from '../lambdas/adapters/dynamo/delivery-store';
import { DynamoEventStore } from '../lambdas/adapters/dynamo/event-store';
import { DynamoWebhookStore } from '../lambdas/adapters/dynamo/webhook-store';
import { SqsDeliveryQueue } from '../lambdas/adapters/sqs-queue';
import { loadRuntimeConfig } from '../lambdas/domain/config';
import { reportEvent, type ReportEventDeps } from '../lambdas/domain/services/events';
import { EVENT_TYPES, HEALTHY, type Automation } from '../lambdas/domain/types';
import { CONFIG_TABLE, DELIVERIES_TABLE, EVENTS_TABLE } from '../lib/table-definitions';
import { childMain } from './child';
import { benchEvent, TEMPLATE } from './fixtures';
import { quantile, summarize, type Summary } from './stats';

/** Sizes, from run.ts. */
export interface MatchingOptions {
  small: number;
  large: number;
  rounds: number;
  eventsPerRound: number;
  warmupEvents: number;
}

export interface MatchingResult {
  small: number;
  large: number;
  /** Median ingest latency per round, ms. */
  smallMs: Summary;
  largeMs: Summary;
  /** large / small, per round. */
  ratio: Summary;
  /** Deliveries created per report (must be 1 for both teams). */
  deliveriesPerEvent: { small: number; large: number };
  seedSeconds: number;
  storage: string;
}

const MATCHING_COLLECTION = 'churn-model';
/** The registry the bench event comes from (benchEvent: the sample event's project). */
const MATCHING_PROJECT = 'model-registry';

/** Automation `index` of a team: index 0 is the one that matches; the others do not. */
function automation(team: string, index: number, webhookId: string, at: string): Automation {
  const base = { id: `au_${team}_${index}`, team, name: `automation-${index}`, description: '', enabled: true, createdAt: at, updatedAt: at };
  const action = { type: 'WEBHOOK' as const, webhookId, payload: TEMPLATE };
  if (index === 0) return { ...base, event: { type: 'LINK_ARTIFACT', project: MATCHING_PROJECT, collection: MATCHING_COLLECTION }, action };
  // The decoys: the event's type and model, but another registry.
  if (index % 10 === 3) return { ...base, event: { type: 'LINK_ARTIFACT', project: `registry-${index}`, collection: MATCHING_COLLECTION }, action };
  const type = EVENT_TYPES[index % EVENT_TYPES.length];
  // Every tenth one of another type listens to all collections; LINK_ARTIFACT ones never do (they would match).
  const anyCollection = type !== 'LINK_ARTIFACT' && index % 10 === 1;
  // A third are scoped to a registry: the event's, or one of a few others.
  const project = index % 3 === 0 ? (index % 2 === 0 ? MATCHING_PROJECT : `registry-${index % 7}`) : undefined;
  return { ...base, event: { type, ...(project === undefined ? {} : { project }), ...(anyCollection ? {} : { collection: `model-${index}` }) }, action };
}

async function main(): Promise<MatchingResult> {
  const options = JSON.parse(process.argv[2]) as MatchingOptions;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rw-bench-matching-'));
  const engines = await startEngines(dataDir);
  try {
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const dynamo = new DynamoDBClient({ region: 'us-east-1', endpoint: engines.dynamodbEndpoint, credentials, maxAttempts: 3 });
    const db = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: engines.sqsEndpoint, credentials, maxAttempts: 3 });
    const tables = { config: 'bench-config', deliveries: 'bench-deliveries', events: 'bench-events' };
    await ensureTable(dynamo, tables.config, CONFIG_TABLE);
    await ensureTable(dynamo, tables.deliveries, DELIVERIES_TABLE);
    await ensureTable(dynamo, tables.events, EVENTS_TABLE);
    const queue = await engines.createQueue('bench-deliveries');
    const deps: ReportEventDeps = {
      webhooks: new DynamoWebhookStore(db, tables.config),
      automations: new DynamoAutomationStore(db, tables.config),
      deliveries: new DynamoDeliveryStore(db, tables.deliveries),
      events: new DynamoEventStore(db, tables.events),
      queue: new SqsDeliveryQueue(sqs, queue.queueUrl),
      config: loadRuntimeConfig({}),
      now: () => new Date(),
    };

    // Seed both teams (not timed as part of the figure).
    const seedStarted = performance.now();
    const at = new Date().toISOString();
    for (const [team, count] of [['small', options.small], ['large', options.large]] as const) {
      await deps.webhooks.create({ id: `wh_${team}`, team, name: 'hook', url: 'https://hooks.example.com/in', secret: null, accessToken: null, rateLimit: null, headers: {}, createdAt: at, updatedAt: at, health: { ...HEALTHY } });
      let next = 0;
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (next < count) await deps.automations.put(automation(team, next++, `wh_${team}`, at));
      }));
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    const created = { small: 0, large: 0 };
    let sequence = 0;
    /** Median latency (ms) of `count` reports for `team`, one at a time. */
    const measure = async (team: 'small' | 'large', count: number): Promise<number> => {
      const latencies: number[] = [];
      for (let index = 0; index < count; index++) {
        const event = benchEvent(`evt-${team}-${sequence++}`, Date.now(), MATCHING_COLLECTION);
        const started = performance.now();
        const result = await reportEvent(deps, team, event);
        latencies.push(performance.now() - started);
        created[team] += result.body.deliveries.length;
      }
      return quantile(latencies, 0.5);
    };

    await measure('small', options.warmupEvents);
    await measure('large', options.warmupEvents);
    created.small = 0;
    created.large = 0;

    const small: number[] = [];
    const large: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      let s: number;
      let l: number;
      if (round % 2 === 0) {
        s = await measure('small', options.eventsPerRound);
        l = await measure('large', options.eventsPerRound);
      } else {
        l = await measure('large', options.eventsPerRound);
        s = await measure('small', options.eventsPerRound);
      }
      small.push(s);
      large.push(l);
      ratios.push(l / s);
    }
    const reports = options.rounds * options.eventsPerRound;
    dynamo.destroy();
    sqs.destroy();
    return {
      small: options.small,
      large: options.large,
      smallMs: summarize(small),
      largeMs: summarize(large),
      ratio: summarize(ratios),
      deliveriesPerEvent: { small: created.small / reports, large: created.large / reports },
      seedSeconds,
      storage: 'local engines (dynalite + fauxqs), real DynamoDB/SQS adapters',
    };
  } finally {
    await engines.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) childMain(main);
