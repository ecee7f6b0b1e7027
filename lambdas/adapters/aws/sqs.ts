/** The SQS client, made once per process (see dynamodb.ts for why one module per service). */
import { SQSClient } from '@aws-sdk/client-sqs';
import { captureClient } from '../tracing';
import { clientOptions } from './client-options';

/**
 * SQS. Captured, so a traced sender's SendMessageBatch carries the X-Ray trace header, which
 * SQS keeps with each message (`AWSTraceHeader`) and hands to the deliver Lambda's trace.
 */
export const sqs = captureClient(new SQSClient(clientOptions(process.env.SQS_ENDPOINT)));
