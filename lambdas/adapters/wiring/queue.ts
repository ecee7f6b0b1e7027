/** The SQS delivery queue, made once per process on first use. */
import { sqs } from '../aws/sqs';
import { SqsDeliveryQueue } from '../sqs-queue';
import { once, requiredEnv } from './once';

/** The delivery queue. */
export const deliveryQueue = once(() => new SqsDeliveryQueue(sqs, requiredEnv('DELIVERY_QUEUE_URL')));
