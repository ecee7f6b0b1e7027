/**
 * AWS SDK v3 clients, made once per process (module scope) so Lambda containers reuse their
 * connections. `*_ENDPOINT` variables point them at local engines in local mode; deployed,
 * they are unset and the SDK uses the Lambda's region and role.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

function clientOptions(endpoint: string | undefined) {
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (!endpoint) return { region, maxAttempts: 3 };
  // Local engines accept any credentials; fixed ones keep local mode off the user's real AWS profile.
  return { region, endpoint, maxAttempts: 3, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

/** DynamoDB (document client: plain JS values in and out). */
export const dynamoDb = DynamoDBDocumentClient.from(new DynamoDBClient(clientOptions(process.env.DYNAMODB_ENDPOINT)), {
  marshallOptions: { removeUndefinedValues: true },
});

/** SQS. */
export const sqs = new SQSClient(clientOptions(process.env.SQS_ENDPOINT));

/** Secrets Manager. */
export const secretsManager = new SecretsManagerClient(clientOptions(process.env.SECRETS_MANAGER_ENDPOINT));
