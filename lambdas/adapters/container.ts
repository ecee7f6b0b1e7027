/**
 * Wires the real adapters into the services' dependencies, once per process. Handlers call
 * `serviceDeps()` at module scope; the local runner sets the `*_ENDPOINT` variables first.
 */
import { loadRuntimeConfig } from '../domain/config';
import { redactingSender } from '../domain/redact';
import type { ServiceDeps } from '../domain/services/deps';
import { dynamoDb } from './aws/dynamodb';
import { secretsManager } from './aws/secrets-manager';
import { sqs } from './aws/sqs';
import { DynamoAutomationStore } from './dynamo/automation-store';
import { DynamoDeliveryStore } from './dynamo/delivery-store';
import { DynamoEventStore } from './dynamo/event-store';
import { DynamoKeyStore } from './dynamo/key-store';
import { DynamoWebhookStore } from './dynamo/webhook-store';
import { createHttpSender } from './http-sender';
import { SecretsManagerStore } from './secret-store';
import { SqsDeliveryQueue } from './sqs-queue';

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

let cached: ServiceDeps | undefined;

/** The process-wide dependencies, built on first use. */
export function serviceDeps(env: NodeJS.ProcessEnv = process.env): ServiceDeps {
  if (cached) return cached;
  const config = loadRuntimeConfig(env);
  const configTable = required(env, 'CONFIG_TABLE');
  cached = {
    keys: new DynamoKeyStore(dynamoDb, configTable),
    webhooks: new DynamoWebhookStore(dynamoDb, configTable),
    automations: new DynamoAutomationStore(dynamoDb, configTable),
    deliveries: new DynamoDeliveryStore(dynamoDb, required(env, 'DELIVERIES_TABLE')),
    events: new DynamoEventStore(dynamoDb, required(env, 'EVENTS_TABLE')),
    secrets: new SecretsManagerStore(secretsManager, config.secretPrefix),
    queue: new SqsDeliveryQueue(sqs, required(env, 'DELIVERY_QUEUE_URL')),
    // Receivers may echo the request: what comes back is cleaned of the secrets that went out.
    sender: redactingSender(createHttpSender({ allowHosts: config.allowHosts, attemptTimeoutMs: config.attemptTimeoutMs })),
    config,
    now: () => new Date(),
  };
  return cached;
}
