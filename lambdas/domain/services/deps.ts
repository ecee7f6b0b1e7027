/**
 * What the services are handed: the ports, the settings and a clock. Handlers build one
 * set at module scope from real adapters; tests can build their own.
 */
import type { RuntimeConfig } from '../config';
import type {
  AutomationStore,
  DeliveryQueue,
  DeliveryStore,
  EventStore,
  KeyStore,
  SecretStore,
  WebhookSender,
  WebhookStore,
} from '../ports';

/** Everything a service may use. */
export interface ServiceDeps {
  keys: KeyStore;
  webhooks: WebhookStore;
  automations: AutomationStore;
  secrets: SecretStore;
  deliveries: DeliveryStore;
  events: EventStore;
  queue: DeliveryQueue;
  sender: WebhookSender;
  config: RuntimeConfig;
  now: () => Date;
}

/** A new random id with a readable prefix (`wh_…`, `au_…`). */
export function newId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replace(/-/g, '')}`;
}

/** Epoch seconds at which a record written now expires (DynamoDB TTL). */
export function expiresAt(deps: ServiceDeps): number {
  return Math.floor(deps.now().getTime() / 1000) + deps.config.retentionDays * 86400;
}
