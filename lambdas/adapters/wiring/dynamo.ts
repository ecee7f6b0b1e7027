/**
 * The DynamoDB-backed stores, each made once per process on first use. Only this module (and
 * the DynamoDB client it imports) is bundled by a handler that asks for a store.
 */
import { dynamoDb } from '../aws/dynamodb';
import { DynamoAutomationStore } from '../dynamo/automation-store';
import { DynamoDeliveryStore } from '../dynamo/delivery-store';
import { DynamoEventStore } from '../dynamo/event-store';
import { DynamoFlightStore } from '../dynamo/flight-store';
import { DynamoKeyStore } from '../dynamo/key-store';
import { DynamoRateLimiter } from '../dynamo/rate-limiter';
import { DynamoWebhookStore } from '../dynamo/webhook-store';
import { once, requiredEnv } from './once';

/** API keys (config table). */
export const keyStore = once(() => new DynamoKeyStore(dynamoDb, requiredEnv('CONFIG_TABLE')));
/** Webhooks (config table). */
export const webhookStore = once(() => new DynamoWebhookStore(dynamoDb, requiredEnv('CONFIG_TABLE')));
/** Automations (config table). */
export const automationStore = once(() => new DynamoAutomationStore(dynamoDb, requiredEnv('CONFIG_TABLE')));
/** Deliveries (deliveries table). */
export const deliveryStore = once(() => new DynamoDeliveryStore(dynamoDb, requiredEnv('DELIVERIES_TABLE')));
/** Per-webhook rate windows (limits table). */
export const rateLimiter = once(() => new DynamoRateLimiter(dynamoDb, requiredEnv('LIMITS_TABLE')));
/** Slow marks and in-flight leases per webhook (limits table). */
export const flightStore = once(() => new DynamoFlightStore(dynamoDb, requiredEnv('LIMITS_TABLE')));
/** Accepted events (events table). */
export const eventStore = once(() => new DynamoEventStore(dynamoDb, requiredEnv('EVENTS_TABLE')));
