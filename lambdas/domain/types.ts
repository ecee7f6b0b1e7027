/**
 * The domain's records, shared by handlers, adapters and tests. Pure types: no AWS SDK here.
 */

/**
 * Registry event types an automation can listen to, in api.md's order. What each one is about
 * and which variables it fills: event-types.ts.
 */
export const EVENT_TYPES = [
  'LINK_ARTIFACT',
  'UNLINK_ARTIFACT',
  'CREATE_ARTIFACT',
  'ADD_ARTIFACT_ALIAS',
  'ADD_ARTIFACT_TAG',
  'REMOVE_ARTIFACT_TAG',
  'ADD_COLLECTION_TAG',
  'REMOVE_COLLECTION_TAG',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** A webhook as stored and returned by the API. `secret`/`accessToken` are secret *names*. */
export interface Webhook {
  id: string;
  team: string;
  name: string;
  url: string;
  secret: string | null;
  accessToken: string | null;
  /** At most this many attempts start per second to this webhook, across every worker; null: no limit. */
  rateLimit: number | null;
  /** Extra request headers sent on every attempt and test send (api.md: `headers`); not secrets. */
  headers: Readonly<Record<string, string>>;
  createdAt: string;
  updatedAt: string;
  /** Endpoint health: see {@link WebhookHealth}. */
  health: WebhookHealth;
}

/**
 * A webhook's endpoint health. A disabled webhook is sent nothing: deliveries that come due
 * for it end `skipped`. The service disables a webhook by itself (a `410 Gone` answer, or every
 * attempt failing for the configured time with enough attempts); an admin re-enables it.
 */
export interface WebhookHealth {
  enabled: boolean;
  /** Why it was disabled, or null while enabled. */
  disabledReason: string | null;
  disabledAt: string | null;
  /** When the current run of failed attempts began; null after a success. */
  failingSince: string | null;
  /** Failed attempts since `failingSince`. */
  failedAttempts: number;
}

/** The health of a webhook that has never failed. */
export const HEALTHY: WebhookHealth = Object.freeze({ enabled: true, disabledReason: null, disabledAt: null, failingSince: null, failedAttempts: 0 });

/** What an automation listens to. */
export interface AutomationEventFilter {
  type: EventType;
  /** The registry (project) the event comes from; absent = every registry of the team. */
  project?: string;
  /** Registered model name; absent = every model. */
  collection?: string;
  /** RE2 pattern the alias must match (ADD_ARTIFACT_ALIAS only). */
  aliasPattern?: string;
  /** RE2 pattern the tag must match (the four tag events only: see event-types.ts). */
  tagPattern?: string;
}

/** What an automation does: POST to a webhook. */
export interface WebhookAction {
  type: 'WEBHOOK';
  webhookId: string;
  /** JSON value, or a string holding JSON text, with `${variable}` in string values. Absent = default payload. */
  payload?: unknown;
}

/** An automation: event filter → webhook action. */
export interface Automation {
  id: string;
  team: string;
  name: string;
  description: string;
  enabled: boolean;
  event: AutomationEventFilter;
  action: WebhookAction;
  createdAt: string;
  updatedAt: string;
}

/**
 * The registry's report of something that happened to a model. Events about the registered
 * model itself (ADD_COLLECTION_TAG, REMOVE_COLLECTION_TAG) carry no version: their
 * `artifact.version` and `artifact.versionString` are always empty (event-types.ts).
 */
export interface RegistryEvent {
  id: string;
  type: EventType;
  author: string;
  entity: string;
  project: string;
  artifact: {
    collection: string;
    version: string;
    versionString: string;
    metadata: Record<string, unknown>;
  };
  alias: string | null;
  tag: string | null;
}

/** Lifecycle of one delivery. */
export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed' | 'skipped';

/** One POST attempt, as recorded in the deliveries log. */
export interface Attempt {
  number: number;
  at: string;
  status: number | null;
  durationMs: number;
  error: string | null;
  responseBody: string;
}

/**
 * One delivery: an event × an automation, with every attempt. The event itself is stored once,
 * with the event's record (see ports.ts, EventRecord), not in each of its deliveries; the body is
 * rendered from it and `template` whenever it is needed (to send, or to show in the log), so a
 * delivery record stays small.
 */
export interface Delivery {
  id: string;
  team: string;
  eventId: string;
  automationId: string;
  webhookId: string;
  url: string;
  status: DeliveryStatus;
  attempts: Attempt[];
  /** Attempts made over the delivery's life (the log may keep fewer: storage bounds its size). */
  attemptCount: number;
  /** Attempts made in the current round (a redelivery starts a new round). */
  roundAttempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
  /**
   * The automation's template as it was when the event arrived: every attempt renders the same
   * body from it and the event, with the secret values current at send time (secrets are never
   * stored here).
   */
  template: unknown;
}

/** A caller's role, carried by its API key. */
export type Role = 'admin' | 'member' | 'registry';

/** An API key record. The key itself is never stored, only its SHA-256 hash. */
export interface ApiKeyRecord {
  id: string;
  /** Team the key belongs to; `*` for registry keys (valid for every team). */
  team: string;
  role: Role;
  name: string;
  createdAt: string;
}

/** Metadata of a team secret. The value never appears in any record the API returns. */
export interface SecretInfo {
  name: string;
  createdAt: string;
  updatedAt: string;
}
