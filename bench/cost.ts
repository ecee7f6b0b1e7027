/**
 * Figure 6 — AWS requests per delivery (from the counts of the end-to-end run) and the cost per
 * million deliveries they come to at the published prices (prices.ts). docs/cost.md explains
 * the formula; this file is its executable form.
 */
import type { RequestCount } from './aws-requests';
import { PRICES } from './prices';

const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

const isWrite = (line: RequestCount) => WRITES.has(line.operation.replace(' (condition failed)', ''));
const isRead = (line: RequestCount) => READS.has(line.operation);

/** Requests per delivery, by service and part of the system. */
export interface RequestsPerDelivery {
  deliveries: number;
  dynamoDb: {
    /** The deliver Lambda's own requests per delivery. */
    deliverReads: number;
    deliverWrites: number;
    /** Everything except the authorizer (whose answers API Gateway caches when deployed). */
    allReads: number;
    allWrites: number;
    /** Authorizer reads per event in local mode (local mode's gateway does not cache them). */
    authorizerReads: number;
    /** Capacity units (request units on-demand) per delivery, authorizer excluded. */
    readUnits: number;
    writeUnits: number;
    /** Write units the deliveries table's `due` index adds (not reported by the local engine; see aws-requests.ts). */
    indexWriteUnits: number;
  };
  sqs: {
    send: number;
    receive: number;
    emptyReceive: number;
    delete: number;
    /** Messages per non-empty receive (the batch size the deliver handler saw). */
    batchSize: number;
  };
  secretsManager: number;
}

export function requestsPerDelivery(lines: readonly RequestCount[], deliveries: number): RequestsPerDelivery {
  const per = (value: number) => value / deliveries;
  const sum = (filter: (line: RequestCount) => boolean, field: 'calls' | 'capacityUnits' | 'messages' | 'indexUnits' = 'calls') =>
    lines.filter(filter).reduce((total, line) => total + line[field], 0);
  const dynamo = (line: RequestCount) => line.service === 'dynamodb';
  const notAuthorizer = (line: RequestCount) => line.component !== 'authorizer';
  const indexWriteUnits = sum(dynamo, 'indexUnits');
  const sqs = (operation: string) => sum((line) => line.service === 'sqs' && line.operation === operation);
  const received = sum((line) => line.service === 'sqs' && line.operation === 'ReceiveMessageCommand', 'messages');
  return {
    deliveries,
    dynamoDb: {
      deliverReads: per(sum((line) => dynamo(line) && isRead(line) && line.component === 'deliver')),
      deliverWrites: per(sum((line) => dynamo(line) && isWrite(line) && line.component === 'deliver')),
      allReads: per(sum((line) => dynamo(line) && isRead(line) && notAuthorizer(line))),
      allWrites: per(sum((line) => dynamo(line) && isWrite(line))),
      authorizerReads: per(sum((line) => dynamo(line) && line.component === 'authorizer')),
      readUnits: per(sum((line) => dynamo(line) && isRead(line) && notAuthorizer(line), 'capacityUnits')),
      writeUnits: per(sum((line) => dynamo(line) && isWrite(line), 'capacityUnits')),
      indexWriteUnits: per(indexWriteUnits),
    },
    sqs: {
      send: per(sqs('SendMessageBatchCommand') + sqs('SendMessageCommand')),
      receive: per(sqs('ReceiveMessageCommand')),
      emptyReceive: per(sqs('ReceiveMessageCommand (empty)')),
      delete: per(sqs('DeleteMessageBatchCommand') + sqs('DeleteMessageCommand')),
      batchSize: received / Math.max(1, sqs('ReceiveMessageCommand')),
    },
    secretsManager: per(sum((line) => line.service === 'secretsmanager')),
  };
}

/** Assumed Lambda durations (not measurable here; see docs/cost.md). */
export const DURATION_ASSUMPTIONS = {
  /** One event report: ~7 sequential DynamoDB/SQS round trips at single-digit ms each, plus CPU. */
  ingestMs: 60,
  /** One deliver invocation, besides waiting for the endpoint: 4 DynamoDB round trips plus CPU. */
  deliverOverheadMs: 40,
  /** The slowest endpoint answer in a batch (records of a batch are sent in parallel). */
  endpointMs: 100,
  /** Deployed memory of ingest and deliver (lib/functions.ts). */
  memoryGb: 0.5,
};

export interface CostLine {
  item: string;
  quantityPerDelivery: number;
  unit: string;
  usdPerMillionDeliveries: number;
}

/**
 * Cost per million deliveries in the measured steady state: one event per delivery (one matching
 * automation), every first attempt succeeding, `batchSize` records per SQS batch (10 when busy,
 * 1 for a trickle), authorizer answers cached by API Gateway, idle queue polling left out.
 */
export interface CostEstimate {
  /** Records per deliver invocation (and per SQS receive/delete) assumed. */
  batchSize: number;
  lines: CostLine[];
  total: number;
  eventBridge: CostLine[];
  eventBridgeTotal: number;
}

export function costPerMillion(requests: RequestsPerDelivery, logBytesPerDelivery: number, batchSize: number): CostEstimate {
  const million = 1e6;
  const d = requests.dynamoDb;
  const invocationsPerDelivery = 1 + 1 / batchSize;
  const gbSeconds = DURATION_ASSUMPTIONS.memoryGb * (DURATION_ASSUMPTIONS.ingestMs + (DURATION_ASSUMPTIONS.deliverOverheadMs + DURATION_ASSUMPTIONS.endpointMs) / batchSize) / 1000;
  const sqsRequests = requests.sqs.send + 2 / batchSize;
  const line = (item: string, quantity: number, unit: string, price: number): CostLine => ({ item, quantityPerDelivery: quantity, unit, usdPerMillionDeliveries: quantity * price * million });
  const lines = [
    line('API Gateway REST request (the event report)', 1, 'requests', PRICES.apiGatewayRestRequest.usd),
    line('Lambda invocations (ingest + deliver per batch)', invocationsPerDelivery, 'invocations', PRICES.lambdaRequest.usd),
    line('Lambda duration, Arm (assumed durations)', gbSeconds, 'GB-s', PRICES.lambdaArmGbSecond.usd),
    line('DynamoDB reads', d.readUnits, 'RRU', PRICES.dynamoReadRequestUnit.usd),
    line('DynamoDB writes (tables)', d.writeUnits, 'WRU', PRICES.dynamoWriteRequestUnit.usd),
    line('DynamoDB writes (deliveries index due)', d.indexWriteUnits, 'WRU', PRICES.dynamoWriteRequestUnit.usd),
    line('SQS (send per event; receive + delete per batch)', sqsRequests, 'requests', PRICES.sqsRequest.usd),
    line('Secrets Manager GetSecretValue', requests.secretsManager, 'calls', PRICES.secretsManagerCall.usd),
    line('CloudWatch Logs (deliver log line + metrics)', logBytesPerDelivery / 1e9, 'GB', PRICES.cloudWatchLogsIngestGb.usd),
  ];
  const eventBridge = [
    line('EventBridge custom event (PutEvents)', 1, 'events', PRICES.eventBridgeCustomEvent.usd),
    line('EventBridge API destination invocation', 1, 'invocations', PRICES.eventBridgeApiDestination.usd),
  ];
  const total = lines.reduce((sum, item) => sum + item.usdPerMillionDeliveries, 0);
  const eventBridgeTotal = eventBridge.reduce((sum, item) => sum + item.usdPerMillionDeliveries, 0);
  return { batchSize, lines, total, eventBridge, eventBridgeTotal };
}
