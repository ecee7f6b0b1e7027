/** The `ingest` Lambda: `POST /teams/{team}/events`, idempotent on the event id. */
import { automationStore, deliveryStore, eventStore, webhookStore } from '../adapters/wiring/dynamo';
import { once } from '../adapters/wiring/once';
import { deliveryQueue } from '../adapters/wiring/queue';
import { runtimeConfig, systemClock } from '../adapters/wiring/settings';
import type { ReportEventDeps } from '../domain/services/events';
import { httpHandler } from './http/http-handler';
import { INGEST_OPERATIONS } from './http/operations';

const deps = once((): ReportEventDeps => ({
  events: eventStore(),
  automations: automationStore(),
  webhooks: webhookStore(),
  deliveries: deliveryStore(),
  queue: deliveryQueue(),
  config: runtimeConfig(),
  now: systemClock,
}));

/** API Gateway proxy handler. */
export const handler = httpHandler(INGEST_OPERATIONS, deps);
