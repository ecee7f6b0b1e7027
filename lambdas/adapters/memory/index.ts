/**
 * The in-memory adapter set: every storage port in memory, with the same rules as the AWS
 * adapters (the contract suite, test/integration/contract/, checks both against one set of
 * tests). Unit tests and the benchmarks use it; no Lambda bundles it.
 */
import { MemoryAutomationStore, MemoryKeyStore, MemoryWebhookStore } from './config-stores';
import { MemoryDeliveryStore } from './delivery-store';
import { MemoryEventStore } from './event-store';
import { MemoryFlightStore } from './flight-store';
import { MemoryNotifier } from './notifier';
import { MemoryRateLimiter } from './rate-limiter';
import { MemoryQueue } from './queue';
import { MemorySecretStore } from './secret-store';

export { MemoryAutomationStore, MemoryDeliveryStore, MemoryEventStore, MemoryFlightStore, MemoryKeyStore, MemoryNotifier, MemoryQueue, MemoryRateLimiter, MemorySecretStore, MemoryWebhookStore };

/** One of each store, sharing a clock. */
export function memoryStores(now: () => Date = () => new Date()) {
  return {
    keys: new MemoryKeyStore(),
    webhooks: new MemoryWebhookStore(),
    automations: new MemoryAutomationStore(),
    deliveries: new MemoryDeliveryStore(),
    events: new MemoryEventStore(),
    secrets: new MemorySecretStore(now),
    queue: new MemoryQueue(),
    rateLimiter: new MemoryRateLimiter(),
    flights: new MemoryFlightStore(),
  };
}
