/** The SNS client, made once per process (see dynamodb.ts for why one module per service). */
import { SNSClient } from '@aws-sdk/client-sns';
import { captureClient } from '../tracing';
import { clientOptions } from './client-options';

/** SNS. */
export const sns = captureClient(new SNSClient(clientOptions(process.env.SNS_ENDPOINT)));
