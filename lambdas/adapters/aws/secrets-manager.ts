/** The Secrets Manager client, made once per process (see dynamodb.ts for why one module per service). */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { captureClient } from '../tracing';
import { clientOptions } from './client-options';

/** Secrets Manager. */
export const secretsManager = captureClient(new SecretsManagerClient(clientOptions(process.env.SECRETS_MANAGER_ENDPOINT)));
