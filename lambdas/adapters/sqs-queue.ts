/** The delivery queue over SQS: batches of 10, each message delayed until its `notBefore`. */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryMessage, DeliveryQueue } from '../domain/ports';

/** SQS's longest per-message delay. Longer waits hop (see delivery-worker.ts). */
export const MAX_SQS_DELAY_SECONDS = 900;

/** Delay for a message so it arrives at `notBefore`, within what SQS allows. */
export function delaySecondsFor(notBefore: number, now: number): number {
  return Math.min(MAX_SQS_DELAY_SECONDS, Math.max(0, Math.ceil((notBefore - now) / 1000)));
}

/** Batch requests in flight at once: enough for an event's fan-out, bounded for a restart's requeue of everything. */
const PARALLEL_BATCHES = 10;

/** SQS-backed DeliveryQueue. */
export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string, private readonly now: () => number = Date.now) {}

  async send(messages: readonly DeliveryMessage[]): Promise<void> {
    const batches: DeliveryMessage[][] = [];
    for (let start = 0; start < messages.length; start += 10) batches.push(messages.slice(start, start + 10));
    for (let start = 0; start < batches.length; start += PARALLEL_BATCHES) {
      await Promise.all(batches.slice(start, start + PARALLEL_BATCHES).map((batch) => this.sendBatch(batch)));
    }
  }

  private async sendBatch(batch: DeliveryMessage[]): Promise<void> {
    const now = this.now();
    const result = await this.sqs.send(new SendMessageBatchCommand({
      QueueUrl: this.queueUrl,
      Entries: batch.map((message, index) => ({
        Id: String(index),
        MessageBody: JSON.stringify(message),
        DelaySeconds: delaySecondsFor(message.notBefore, now),
      })),
    }));
    if (result.Failed && result.Failed.length > 0) {
      throw new Error(`SQS refused ${result.Failed.length} of ${batch.length} messages (${result.Failed[0].Code})`);
    }
  }
}

/** Reads a message body back; throws on anything that is not a delivery message. */
export function parseDeliveryMessage(body: string): DeliveryMessage {
  const value = JSON.parse(body) as Partial<DeliveryMessage>;
  if (typeof value.team !== 'string' || typeof value.deliveryId !== 'string' || !Number.isInteger(value.attempt) || typeof value.notBefore !== 'number') {
    throw new Error('not a delivery message');
  }
  return { team: value.team, deliveryId: value.deliveryId, attempt: value.attempt as number, notBefore: value.notBefore };
}
