/**
 * Local stand-in for the Lambda SQS event source mapping: long-polls the queue, hands each
 * record to the real deliver handler (as a batch of one), deletes it unless the handler reported
 * it in `batchItemFailures` or threw, and leaves failed ones to come back after the visibility
 * timeout — and to the DLQ after the redrive count.
 *
 * Poison messages are logged (ERROR, ids and counts only: never a body, which could hold
 * anything): a body that is not a delivery message, at each receive, and a message that failed
 * its last receive before the redrive count sends it to the dead-letter queue. The DLQ is in
 * memory, like the queue, so in local mode that log line is the lasting record of it.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseDeliveryMessage } from '../../lambdas/adapters/sqs-queue';
import type { DeliveryMessage } from '../../lambdas/domain/ports';
import { localLambdaContext } from './gateway';

/** Where the poller reports poison messages (the service's structured logger). */
export interface LocalLog {
  info(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

/** The deliver handler's shape. */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

/** Records one poll loop may have in flight, as a deployed invocation handles a batch of 10. */
export const RECORDS_PER_LOOP = 10;

/**
 * Runs `concurrency` poll loops until `stop()` is called. Each record is handed to the handler
 * on its own and deleted as soon as it is done, so a record whose attempt hangs holds only its
 * own place: the loop goes on receiving while fewer than `concurrency × RECORDS_PER_LOOP`
 * records are in flight (the deployed event source's bound: that many Lambdas, 10 records each).
 */
export function startSqsPoller(options: PollerOptions) {
  let running = true;
  const capacity = options.concurrency * RECORDS_PER_LOOP;
  const inFlight = new Set<Promise<void>>();
  const waiting: Array<() => void> = [];
  const placeFreed = () => {
    for (const wake of waiting.splice(0)) wake();
  };
  const freePlaces = async (): Promise<number> => {
    while (running && inFlight.size >= capacity) await new Promise<void>((resolve) => waiting.push(resolve));
    return capacity - inFlight.size;
  };
  const dispatch = (message: Message) => {
    const done = handleOne(options, message)
      .catch((error: unknown) => options.onError(error))
      .finally(() => {
        inFlight.delete(done);
        placeFreed();
      });
    inFlight.add(done);
  };
  const loop = async () => {
    while (running) {
      try {
        const free = await freePlaces();
        if (!running) return;
        const { Messages } = await options.sqs.send(new ReceiveMessageCommand({
          QueueUrl: options.queueUrl, MaxNumberOfMessages: Math.min(10, free), WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'],
        }));
        for (const message of Messages ?? []) dispatch(message);
      } catch (error) {
        if (!running) return;
        options.onError(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };
  const loops = Array.from({ length: options.concurrency }, loop);
  return {
    async stop() {
      running = false;
      placeFreed();
      await Promise.allSettled(loops);
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** What the poller needs. */
export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: SqsHandler;
  concurrency: number;
  /** The queue's redrive count: a message failing its receive number `maxReceiveCount` goes to the DLQ next. */
  maxReceiveCount: number;
  log: LocalLog;
  onError: (error: unknown) => void;
}

/**
 * What made the handler throw: a batch of one that failed is Powertools' FullBatchFailureError,
 * whose own message says only that; the record's error is inside it.
 */
function describeError(error: unknown): string {
  const inner = (error as { recordErrors?: unknown[] } | undefined)?.recordErrors?.[0];
  const cause = inner ?? error;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

/** The ids a delivery message names, or why it names none. */
function readMessage(body: string): { delivery: DeliveryMessage } | { unreadable: string } {
  try {
    return { delivery: parseDeliveryMessage(body) };
  } catch (error) {
    return { unreadable: error instanceof SyntaxError ? 'not JSON' : 'not a delivery message' };
  }
}

/** One record through the handler; deleted unless the handler reported it failed or threw. */
async function handleOne(options: PollerOptions, message: Message): Promise<void> {
  const record = toRecord(message, options.queueArn);
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  const read = readMessage(record.body);
  const ids = { messageId: record.messageId, receiveCount, maxReceiveCount: options.maxReceiveCount };
  if ('unreadable' in read) {
    // Handed on all the same, as the deployed event source would: it fails there and, at the redrive count, goes to the DLQ.
    options.log.error('poison message: the deliver handler cannot parse it', { ...ids, reason: read.unreadable, bodyBytes: Buffer.byteLength(record.body) });
  }
  let failed = true;
  let reason = 'the handler reported it failed';
  try {
    const result = await options.handler({ Records: [record] }, localLambdaContext('deliver', 60_000));
    failed = (result?.batchItemFailures ?? []).some((failure) => failure.itemIdentifier === record.messageId);
  } catch (error) {
    // Failed: the record comes back after the visibility timeout (and goes to the DLQ after the redrive count).
    reason = `the handler threw: ${describeError(error)}`;
  }
  if (failed) {
    if (receiveCount >= options.maxReceiveCount) {
      const delivery = 'delivery' in read ? { team: read.delivery.team, deliveryId: read.delivery.deliveryId, attempt: read.delivery.attempt } : null;
      options.log.error('poison message: goes to the dead-letter queue', { ...ids, reason: 'unreadable' in read ? read.unreadable : reason, delivery });
    }
    return;
  }
  await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle ?? '' }));
}
