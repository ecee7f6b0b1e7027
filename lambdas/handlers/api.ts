/** The `api` Lambda: management routes (keys, secrets, webhooks, automations, deliveries). */
import { automationStore, deliveryStore, eventStore, keyStore, webhookStore } from '../adapters/wiring/dynamo';
import { deliveryQueue } from '../adapters/wiring/queue';
import { notifier } from '../adapters/wiring/notifier';
import { secretStore } from '../adapters/wiring/secrets';
import { webhookSender } from '../adapters/wiring/sender';
import { runtimeConfig, systemClock } from '../adapters/wiring/settings';
import { once } from '../adapters/wiring/once';
import { httpHandler } from './http/http-handler';
import { API_OPERATIONS, type ApiDeps } from './http/operations';

const deps = once((): ApiDeps => ({
  keys: keyStore(),
  webhooks: webhookStore(),
  automations: automationStore(),
  secrets: secretStore(),
  deliveries: deliveryStore(),
  events: eventStore(),
  queue: deliveryQueue(),
  sender: webhookSender(),
  notifier: notifier(),
  config: runtimeConfig(),
  now: systemClock,
}));

/** API Gateway proxy handler. */
export const handler = httpHandler(API_OPERATIONS, deps);
