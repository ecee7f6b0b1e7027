/**
 * The small interfaces the domain services need from the outside world. Adapters implement
 * them over DynamoDB, SQS, Secrets Manager and HTTP; tests may implement them in memory.
 */
import type { SendResult } from './attempt-failure';
import type { ApiKeyRecord, Automation, Delivery, SecretInfo, Webhook } from './types';

/** API keys, stored by hash. */
export interface KeyStore {
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  create(record: ApiKeyRecord, hash: string): Promise<void>;
  listByTeam(team: string): Promise<ApiKeyRecord[]>;
  /** Deletes a team's key; false if it did not exist. */
  delete(team: string, id: string): Promise<boolean>;
}

/** Webhooks of a team. Names are unique per team. */
export interface WebhookStore {
  get(team: string, id: string): Promise<Webhook | undefined>;
  list(team: string): Promise<Webhook[]>;
  /** Creates it; throws ApiError CONFLICT if the name is taken. */
  create(webhook: Webhook): Promise<void>;
  /** Replaces it (same id); throws CONFLICT if a rename hits a taken name. */
  update(previous: Webhook, next: Webhook): Promise<void>;
  delete(webhook: Webhook): Promise<void>;
}

/** Automations of a team, indexed for matching. */
export interface AutomationStore {
  get(team: string, id: string): Promise<Automation | undefined>;
  list(team: string): Promise<Automation[]>;
  put(automation: Automation): Promise<void>;
  delete(team: string, id: string): Promise<boolean>;
  /** Automations whose index key is one of `keys` (one indexed query per key, no scan). */
  findByIndexKeys(keys: readonly string[]): Promise<Automation[]>;
  /** Whether any automation of the team points at this webhook. */
  isWebhookInUse(team: string, webhookId: string): Promise<boolean>;
}

/** Team secrets. Values only go out through `getValue`, used to sign and authorize. */
export interface SecretStore {
  /** Creates or replaces; tells which. */
  put(team: string, name: string, value: string): Promise<{ created: boolean; info: SecretInfo }>;
  list(team: string): Promise<SecretInfo[]>;
  exists(team: string, name: string): Promise<boolean>;
  /** The value, or undefined when the secret does not exist. */
  getValue(team: string, name: string): Promise<string | undefined>;
  delete(team: string, name: string): Promise<boolean>;
}

/** Filters of the deliveries log. */
export interface DeliveryQuery {
  team: string;
  automationId?: string;
  webhookId?: string;
  eventId?: string;
  status?: string;
  limit: number;
  cursor?: string;
}

/** Deliveries and their attempts. */
export interface DeliveryStore {
  get(id: string): Promise<Delivery | undefined>;
  /** Writes a new delivery unless one with its id exists (idempotent ingest); true if written. */
  createIfAbsent(delivery: Delivery, expiresAt: number): Promise<boolean>;
  /**
   * Saves the delivery's new state if nobody else changed it since `expectedAttemptCount`
   * attempts were recorded; false if the condition failed (a duplicate message got there first).
   */
  saveAttemptResult(delivery: Delivery, expectedAttemptCount: number): Promise<boolean>;
  /**
   * Claims the next attempt (number `expectedAttemptCount + 1`) of an unfinished delivery until
   * `until` (ISO), so that a duplicate message for the same attempt, handled at the same time,
   * does not POST it again. False if the delivery moved on (another attempt was recorded, or it
   * finished) or another worker holds a claim that is still live at `now` (ISO). A claim ends
   * with the next `saveAttemptResult`, or when it expires (its holder crashed).
   */
  claimAttempt(id: string, expectedAttemptCount: number, now: string, until: string): Promise<boolean>;
  /** Starts a new round unless another attempt was recorded meanwhile (then false). */
  startNewRound(delivery: Delivery, expectedAttemptCount: number): Promise<boolean>;
  list(query: DeliveryQuery): Promise<{ items: Delivery[]; nextCursor: string | null }>;
  /** Deliveries not finished whose next attempt is due before `dueBefore` (ISO). */
  findDue(dueBefore: string, limit: number): Promise<Array<{ id: string; attemptCount: number; dueAt: string }>>;
}

/** The record that makes event reports idempotent. */
export interface EventRecord {
  team: string;
  eventId: string;
  deliveries: Array<{ id: string; automationId: string; webhookId: string }>;
  createdAt: string;
}

/** Accepted events, by team and event id. */
export interface EventStore {
  get(team: string, eventId: string): Promise<EventRecord | undefined>;
  /** Stores it unless present; returns the stored one (ours or the earlier one). */
  putIfAbsent(record: EventRecord, expiresAt: number): Promise<EventRecord>;
}

/** What the delivery queue carries: which delivery, which attempt, not before when. */
export interface DeliveryMessage {
  deliveryId: string;
  /** The attempt number (1-based, over the delivery's life) this message is for. */
  attempt: number;
  /** Epoch ms before which the attempt must not be made. */
  notBefore: number;
}

/** The durable hand-off to the deliver worker. */
export interface DeliveryQueue {
  /** Enqueues messages, each delayed until its `notBefore` (capped at the queue's maximum delay). */
  send(messages: readonly DeliveryMessage[]): Promise<void>;
}

/** One outgoing POST. Header values may hold secrets: never log them. */
export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The secret values this request carries (access token, signing secret), to clean out of what comes back. */
  secrets?: readonly string[];
}

/** How much of a receiver's answer is kept (api.md: "first 8 KiB"); the rest is not read. */
export const MAX_RESPONSE_BODY_BYTES = 8192;

// An attempt's result and the typed reasons it can fail live in their own pure module, with
// the text they are described by; re-exported so the ports stay the one place to import from.
export type { AttemptFailure, SendResult } from './attempt-failure';

/** Sends one webhook POST (SSRF-guarded, bounded in time, never following redirects). */
export interface WebhookSender {
  send(request: OutgoingRequest): Promise<SendResult>;
}
