/**
 * The SQS delivery queue and its dead-letter queue: the durable hand-off between ingest (and
 * the api's redeliver, and the sweeper) and the deliver worker.
 */
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Receives before SQS moves a message the worker keeps failing on to the DLQ. */
export const MAX_RECEIVE_COUNT = 5;

/**
 * AWS's guidance for Lambda event sources: visibility at least 6× the function timeout, so a
 * message is not handed to a second worker while the first (with its retries) still runs.
 */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6;

/** Settings of {@link DeliveryQueues}. */
export interface DeliveryQueuesProps {
  /** Timeout of the Lambda consuming the queue; sets the visibility timeout. */
  readonly consumerTimeout: Duration;
}

/** Delivery queue plus DLQ, both SQS-encrypted and TLS-only. */
export class DeliveryQueues extends Construct {
  /** Where delivery jobs wait for the deliver Lambda. */
  public readonly queue: sqs.Queue;
  /** Messages the deliver Lambda could not process at all; alarmed on. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DeliveryQueuesProps) {
    super(scope, id);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS allows, so an operator has two weeks to look at and redrive a message.
      retentionPeriod: Duration.days(14),
    });

    this.queue = new sqs.Queue(this, 'DeliveryQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_TO_TIMEOUT_RATIO),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
  }
}
