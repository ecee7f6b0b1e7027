/**
 * Local stand-in for the Lambda SQS event source mapping: long-polls the queue, hands
 * batches of up to 10 records to the real deliver handler, deletes the records it did not
 * report in `batchItemFailures` (all of them stay when the handler throws), and leaves the
 * rest to come back after the visibility timeout — and to the DLQ after the redrive count.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
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

/** Runs `concurrency` poll loops until `stop()` is called. */
export function startSqsPoller(options: { sqs: SQSClient; queueUrl: string; queueArn: string; handler: SqsHandler; concurrency: number; onError: (error: unknown) => void }) {
  let running = true;
  const loop = async () => {
    while (running) {
      try {
        await pollOnce(options);
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
      await Promise.allSettled(loops);
    },
  };
}

async function pollOnce(options: { sqs: SQSClient; queueUrl: string; queueArn: string; handler: SqsHandler }): Promise<void> {
  const { Messages } = await options.sqs.send(new ReceiveMessageCommand({
    QueueUrl: options.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'],
  }));
  if (!Messages || Messages.length === 0) return;
  const event: SQSEvent = { Records: Messages.map((message) => toRecord(message, options.queueArn)) };
  let failed = new Set(event.Records.map((record) => record.messageId));
  try {
    const result = await options.handler(event, localLambdaContext('deliver', 60_000));
    failed = new Set((result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
  } catch {
    // The whole batch failed: every record comes back after the visibility timeout.
  }
  const done = Messages.filter((message) => !failed.has(message.MessageId ?? ''));
  if (done.length === 0) return;
  await options.sqs.send(new DeleteMessageBatchCommand({
    QueueUrl: options.queueUrl,
    Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '' })),
  }));
}
