/** The SQS client, made once per process (see dynamodb.ts for why one module per service). */
import { SQSClient } from '@aws-sdk/client-sqs';
import { clientOptions } from './client-options';

/** SQS. */
export const sqs = new SQSClient(clientOptions(process.env.SQS_ENDPOINT));
