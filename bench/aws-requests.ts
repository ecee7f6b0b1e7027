/**
 * Counts the AWS requests the handlers make, with a middleware on the real SDK clients of
 * lambdas/adapters/aws/*.ts (the ones the handlers use). Each request is attributed to
 * the code that made it from its (async) stack trace, and DynamoDB requests ask for
 * `ReturnConsumedCapacity: TOTAL` so the capacity units the engine computes are counted too.
 * Only types are imported from the SDK here: the clients must be created by lambdas/adapters/aws/*.ts after
 * local mode has set the endpoints.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** Which part of the system made a request. */
export type Component = 'authorizer' | 'ingest' | 'deliver' | 'sweeper' | 'event-source' | 'other';

/** One line of the count: a service, an operation and what it was for. */
export interface RequestCount {
  service: 'dynamodb' | 'sqs' | 'secretsmanager';
  operation: string;
  component: Component;
  /** DynamoDB: table (and item kind / update kind); SQS: queue; Secrets Manager: '' */
  target: string;
  calls: number;
  /** DynamoDB: capacity units the engine reported (request units on an on-demand table). */
  capacityUnits: number;
  /** DynamoDB: write units the deliveries table's `due` index adds (the local engine reports none; see DueIndexModel). */
  indexUnits: number;
  /** SQS: messages sent, received or deleted. */
  messages: number;
}

/**
 * The file names on the current (async) stack. Call sites are read raw, so no stack text is
 * formatted (with source maps on, formatting is expensive). The stack reaches the service
 * functions through their awaits.
 */
function callerFiles(): string {
  const original = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  Error.prepareStackTrace = (_error, sites) => sites.map((site) => site.getFileName() ?? '').join('\n');
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder);
  const files = holder.stack ?? '';
  Error.prepareStackTrace = original;
  Error.stackTraceLimit = limit;
  return files;
}

function componentOf(stack: string): Component {
  if (/services[\\/]delivery-worker|handlers[\\/]deliver/.test(stack)) return 'deliver';
  if (/services[\\/]events|handlers[\\/]ingest/.test(stack)) return 'ingest';
  if (/handlers[\\/]authorizer|services[\\/]keys/.test(stack)) return 'authorizer';
  if (/services[\\/]sweeper|handlers[\\/]sweeper/.test(stack)) return 'sweeper';
  if (/sqs-poller/.test(stack)) return 'event-source';
  return 'other';
}

function tableShortName(table: string): string {
  return table.replace(/^registry-webhooks-/, '');
}

/** What a DynamoDB request touched: table, and for the config table the kind of item. */
function dynamoTarget(operation: string, input: Record<string, any>): string {
  const table = tableShortName(String(input.TableName ?? '?'));
  if (input.IndexName) return `${table}/${input.IndexName}`;
  if (table === 'config') {
    const key = (input.Key?.pk ?? input.Item?.pk ?? '') as string;
    const sk = (input.Key?.sk ?? input.Item?.sk ?? '') as string;
    return `config/${key.startsWith('KEY#') ? 'key' : sk.split('#')[0].toLowerCase() || 'item'}`;
  }
  if (table === 'deliveries' && /^Update(Item)?Command$/.test(operation)) {
    return String(input.UpdateExpression ?? '').startsWith('SET claimUntil') ? 'deliveries (claim)' : 'deliveries (record attempt)';
  }
  if (table === 'deliveries' && /^Put(Item)?Command$/.test(operation)) return 'deliveries (create)';
  return table;
}

/**
 * What a successful write to the deliveries table costs its sparse `due` index, by DynamoDB's
 * rules for a global secondary index: an entry added or removed is one write, an entry whose
 * sort key (`dueAt`) moves is two (a delete and a put), an entry whose projected attributes
 * (`attemptCount`) change is one, and a write that leaves the entry absent or unchanged (a claim
 * only sets `claimUntil`) is none. The entry's state is followed per delivery from the writes
 * themselves (delivery-store.ts: a create writes no entry; an update SETs or REMOVEs it).
 */
class DueIndexModel {
  private readonly entries = new Map<string, { dueAt: string; attemptCount: unknown }>();

  unitsOf(operation: string, input: Record<string, any>): number {
    if (!/^Update(Item)?Command$/.test(operation)) return 0;
    const key = `${input.Key?.team}\u0000${input.Key?.id}`;
    const expression = String(input.UpdateExpression ?? '');
    const values = input.ExpressionAttributeValues ?? {};
    const before = this.entries.get(key);
    if (/dueShard = :dueShard/.test(expression)) {
      const after = { dueAt: String(values[':dueAt']), attemptCount: values[':attemptCount'] };
      this.entries.set(key, after);
      if (!before) return 1;
      if (before.dueAt !== after.dueAt) return 2;
      return before.attemptCount === after.attemptCount ? 0 : 1;
    }
    if (/REMOVE[^=]*dueShard/.test(expression)) {
      this.entries.delete(key);
      return before ? 1 : 0;
    }
    return 0;
  }
}

/** A counter over the three clients. */
export class AwsRequestCounter {
  private counts = new Map<string, RequestCount>();
  private readonly dueIndex = new DueIndexModel();

  private add(entry: Omit<RequestCount, 'calls' | 'capacityUnits' | 'messages' | 'indexUnits'>, capacityUnits: number, messages: number, indexUnits = 0): void {
    const key = `${entry.service}|${entry.operation}|${entry.component}|${entry.target}`;
    let line = this.counts.get(key);
    if (!line) {
      line = { ...entry, calls: 0, capacityUnits: 0, messages: 0, indexUnits: 0 };
      this.counts.set(key, line);
    }
    line.calls++;
    line.capacityUnits += capacityUnits;
    line.messages += messages;
    line.indexUnits += indexUnits;
  }

  /** Forgets everything counted so far. */
  reset(): void {
    this.counts = new Map();
  }

  /** The counts, one line per (service, operation, component, target). */
  snapshot(): RequestCount[] {
    return [...this.counts.values()].map((line) => ({ ...line, capacityUnits: Math.round(line.capacityUnits * 1000) / 1000 }));
  }

  /** Installs the counting middleware on the clients. */
  install(clients: { dynamoDb: DynamoDBDocumentClient; sqs: SQSClient; secretsManager: SecretsManagerClient }): void {
    clients.dynamoDb.middlewareStack.add(
      (next, context) => async (args) => {
        const component = componentOf(callerFiles());
        const operation = String(context.commandName);
        const input = args.input as Record<string, any>;
        if (input.TableName) input.ReturnConsumedCapacity = 'TOTAL';
        const target = dynamoTarget(operation, input);
        try {
          const result = await next(args);
          const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
          const indexUnits = target.startsWith('deliveries') ? this.dueIndex.unitsOf(operation, input) : 0;
          this.add({ service: 'dynamodb', operation, component, target }, readUnitsFloor(operation, input, consumed?.CapacityUnits ?? 0), 0, indexUnits);
          return result;
        } catch (error) {
          // A refused conditional write still costs a write unit (AWS bills it).
          this.add({ service: 'dynamodb', operation: `${operation} (condition failed)`, component, target }, 1, 0);
          throw error;
        }
      },
      { step: 'initialize', name: 'benchRequestCounter', priority: 'high' },
    );
    clients.sqs.middlewareStack.add(
      (next, context) => async (args) => {
        const component = componentOf(callerFiles());
        const operation = String(context.commandName);
        const input = args.input as { Entries?: unknown[] };
        const result = await next(args);
        const output = result.output as { Messages?: unknown[] };
        const messages = input.Entries?.length ?? output.Messages?.length ?? 0;
        this.add({ service: 'sqs', operation: operation === 'ReceiveMessageCommand' && messages === 0 ? 'ReceiveMessageCommand (empty)' : operation, component, target: 'delivery queue' }, 0, messages);
        return result;
      },
      { step: 'initialize', name: 'benchRequestCounter', priority: 'high' },
    );
    clients.secretsManager.middlewareStack.add(
      (next, context) => async (args) => {
        const component = componentOf(callerFiles());
        const result = await next(args);
        this.add({ service: 'secretsmanager', operation: String(context.commandName), component, target: '' }, 0, 0);
        return result;
      },
      { step: 'initialize', name: 'benchRequestCounter', priority: 'high' },
    );
  }
}

/**
 * The local engine reports 0 units for a Query that returns nothing; DynamoDB bills at least
 * one unit per request (0.5 for an eventually consistent read), so the floor is applied here.
 */
function readUnitsFloor(operation: string, input: Record<string, any>, units: number): number {
  if (operation === 'QueryCommand' || operation === 'GetCommand') return Math.max(units, input.ConsistentRead ? 1 : 0.5);
  return Math.max(units, 1);
}
