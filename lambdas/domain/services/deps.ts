/**
 * What the services are handed. Each service function names the ports it uses
 * (`Deps<'webhooks' | 'now'>`), and each handler builds only the ports of the functions it
 * serves (lambdas/adapters/wiring/), so a Lambda carries no client it never calls.
 */
import type { RuntimeConfig } from '../config';
import type {
  AutomationStore,
  DeliveryQueue,
  DeliveryStore,
  EventStore,
  KeyStore,
  Notifier,
  RateLimiter,
  SecretStore,
  WebhookSender,
  WebhookStore,
} from '../ports';
import type { InFlightGuard } from './in-flight';

/** The catalogue of ports and settings a service function may ask for. */
export interface Ports {
  keys: KeyStore;
  webhooks: WebhookStore;
  automations: AutomationStore;
  secrets: SecretStore;
  deliveries: DeliveryStore;
  events: EventStore;
  queue: DeliveryQueue;
  sender: WebhookSender;
  notifier: Notifier;
  rateLimiter: RateLimiter;
  /** The per-process in-flight bound (one per process: it counts that process's attempts). */
  inFlight: InFlightGuard;
  config: RuntimeConfig;
  now: () => Date;
}

/** The dependencies of a service function: the ports it names, nothing else. */
export type Deps<K extends keyof Ports> = Pick<Ports, K>;

/** A new random id with a readable prefix (`wh_…`, `au_…`). */
export function newId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replace(/-/g, '')}`;
}

/** When a record written now expires (DynamoDB TTL), after the configured retention. */
export function expiresAt(deps: Deps<'config' | 'now'>): Date {
  return new Date(deps.now().getTime() + deps.config.retentionDays * 86_400_000);
}
