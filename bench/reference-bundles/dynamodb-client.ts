/**
 * Cold-start reference (bench/cold-start.ts): the least a handler that talks to DynamoDB loads —
 * the SDK v3 DynamoDB document client, made at module scope as lambdas/adapters/aws/dynamodb.ts does.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const dynamoDb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: process.env.AWS_REGION ?? 'us-east-1', maxAttempts: 3 }), {
  marshallOptions: { removeUndefinedValues: true },
});
