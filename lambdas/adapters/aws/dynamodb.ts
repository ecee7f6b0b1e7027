/**
 * The DynamoDB document client (plain JS values in and out), made once per process so
 * Lambda containers reuse its connections. One module per service: a handler bundles only
 * the clients it imports (the authorizer needs DynamoDB alone), which keeps cold starts short.
 * Every client is captured for X-Ray where it is made (a no-op without tracing, see tracing.ts);
 * the document client wraps the captured one, so its calls are traced too.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { captureClient } from '../tracing';
import { clientOptions } from './client-options';

/** DynamoDB, document flavour. */
export const dynamoDb = DynamoDBDocumentClient.from(captureClient(new DynamoDBClient(clientOptions(process.env.DYNAMODB_ENDPOINT))), {
  marshallOptions: { removeUndefinedValues: true },
});
