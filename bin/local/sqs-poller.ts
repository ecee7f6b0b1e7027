/**
 * Local stand-in for the Lambda SQS event source mapping: long-polls the queue, hands each
 * record to the real deliver handler (as a batch of one), deletes it unless the handler reported
 * it in `batchItemFailures` or threw, and leaves failed ones to come back after the visibility
 * timeout — and to the DLQ after the redrive count.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { localLambdaContext } from './gateway';

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
export function startSqsPoller(options: { sqs: SQSClient; queueUrl: string; queueArn: string; handler: SqsHandler; concurrency: number; onError: (error: unknown) => void }) {
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

/** One record through the handler; deleted unless the handler reported it failed or threw. */
async function handleOne(options: { sqs: SQSClient; queueUrl: string; queueArn: string; handler: SqsHandler }, message: Message): Promise<void> {
  const record = toRecord(message, options.queueArn);
  let failed = true;
  try {
    const result = await options.handler({ Records: [record] }, localLambdaContext('deliver', 60_000));
    failed = (result?.batchItemFailures ?? []).some((failure) => failure.itemIdentifier === record.messageId);
  } catch {
    // Failed: the record comes back after the visibility timeout (and goes to the DLQ after the redrive count).
  }
  if (failed) return;
  await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle ?? '' }));
}
