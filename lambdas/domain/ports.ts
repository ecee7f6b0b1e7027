/**
 * The small interfaces the domain services need from the outside world. Adapters implement
 * them over DynamoDB, SQS, Secrets Manager and HTTP (lambdas/adapters/), and in memory
 * (lambdas/adapters/memory/, for tests and the benchmarks). They speak domain values: ids,
 * records, `Date`s and typed results; how those are keyed, encoded and sized in storage is the
 * adapters' business. Every rule a port promises is checked against each implementation by
 * the contract suite (test/integration/contract/).
 */
import type { SendResult } from './attempt-failure';
import type { ApiKeyRecord, Automation, Delivery, DeliveryStatus, EventType, RegistryEvent, SecretInfo, Webhook } from './types';

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
  /** Creates it; throws a `conflict` DomainError if the team has a webhook of that name. */
  create(webhook: Webhook): Promise<void>;
  /**
   * Replaces its configuration (same id); throws a `conflict` DomainError if a rename hits a
   * taken name. Its health is written only when `next.health.enabled` differs from `previous`'s
   * (an admin enabling or disabling it): attempts recorded meanwhile are not overwritten.
   */
  update(previous: Webhook, next: Webhook): Promise<void>;
  delete(webhook: Webhook): Promise<void>;
  /**
   * Counts a failed attempt: starts the failing run at `at` unless one is under way. Returns the
   * run as stored after this count (so concurrent workers each see an exact count), or undefined
   * when the webhook is gone.
   */
  recordFailure(team: string, id: string, at: Date): Promise<{ failingSince: string; failedAttempts: number } | undefined>;
  /** Ends the failing run after a successful attempt. */
  recordSuccess(team: string, id: string): Promise<void>;
  /** Disables an enabled webhook; true if this call disabled it (false: already disabled, or gone). */
  disable(team: string, id: string, reason: string, at: Date): Promise<boolean>;
}

/** Automations of a team, indexed for matching. */
export interface AutomationStore {
  get(team: string, id: string): Promise<Automation | undefined>;
  list(team: string): Promise<Automation[]>;
  put(automation: Automation): Promise<void>;
  delete(team: string, id: string): Promise<boolean>;
  /**
   * The team's enabled automations of this event type whose collection filter is `collection`
   * or absent and whose project (registry) filter is `project` or absent: the candidates an
   * event can trigger (each once), found by index, never by a scan. An empty `project` (a
   * report without one) matches project-scoped automations of no registry. The remaining
   * filters (patterns) are the caller's to apply.
   */
  findCandidates(team: string, type: EventType, collection: string, project: string): Promise<Automation[]>;
  /** Whether any automation of the team points at this webhook. */
  isWebhookInUse(team: string, webhookId: string): Promise<boolean>;
}

/** A secret's current value and, during a rotation, the one before it. */
export interface SecretVersions {
  value: string;
  /** When `value` was made (Secrets Manager: the AWSCURRENT version's CreatedDate). */
  since: Date;
  /** The value before it (Secrets Manager: AWSPREVIOUS), or null when not asked for or there is none. */
  previous: string | null;
}

/** Team secrets. Values only go out through `getValue`/`getVersions`, used to sign and authorize. */
export interface SecretStore {
  /** Creates or replaces; tells which. */
  put(team: string, name: string, value: string): Promise<{ created: boolean; info: SecretInfo }>;
  list(team: string): Promise<SecretInfo[]>;
  exists(team: string, name: string): Promise<boolean>;
  /** The value, or undefined when the secret does not exist. */
  getValue(team: string, name: string): Promise<string | undefined>;
  /**
   * The current value with the time it became current, and the value before it when the
   * current one is younger than `previousWithinSeconds` (so steady-state reads fetch one
   * version only). Undefined when the secret does not exist. Values may come from a cache:
   * `since` is what tells the caller whether `previous` may still be used.
   */
  getVersions(team: string, name: string, previousWithinSeconds: number): Promise<SecretVersions | undefined>;
  delete(team: string, name: string): Promise<boolean>;
}

/** Filters of the deliveries log. */
export interface DeliveryQuery {
  team: string;
  automationId?: string;
  webhookId?: string;
  eventId?: string;
  status?: DeliveryStatus;
  limit: number;
  /** A `nextCursor` this store returned for the same team; anything else is a `invalid` DomainError. */
  cursor?: string;
}

/** An unfinished delivery whose next attempt is due (what the sweeper re-enqueues). */
export interface DueDelivery {
  team: string;
  id: string;
  attemptCount: number;
  dueAt: Date;
}

/**
 * Deliveries and their attempts, by team and id. Writes that record progress are conditional
 * on `attemptCount`, so two workers handling copies of one message cannot both record an
 * attempt.
 */
export interface DeliveryStore {
  /** The team's delivery with this id (another team's is not found). */
  get(team: string, id: string): Promise<Delivery | undefined>;
  /** Writes a new delivery unless one with its id exists (idempotent ingest); true if written. */
  createIfAbsent(delivery: Delivery, expiresAt: Date): Promise<boolean>;
  /**
   * Saves the delivery's new state if nobody else changed it since `expectedAttemptCount`
   * attempts were recorded; false if the condition failed (a duplicate message got there first).
   * The store may drop the oldest attempts' bodies, then the oldest attempts, to keep the record
   * within its size limit; the newest attempt is always kept whole.
   */
  saveAttemptResult(delivery: Delivery, expectedAttemptCount: number): Promise<boolean>;
  /**
   * Claims the next attempt (number `expectedAttemptCount + 1`) of an unfinished delivery until
   * `until`, so that a duplicate message for the same attempt, handled at the same time, does
   * not POST it again. False if the delivery moved on (another attempt was recorded, or it
   * finished) or another worker holds a claim that is still live at `now`. A claim ends with
   * the next `saveAttemptResult`, or when it expires (its holder crashed).
   */
  claimAttempt(team: string, id: string, expectedAttemptCount: number, now: Date, until: Date): Promise<boolean>;
  /**
   * Moves the due time of a delivery waiting for a retry or a redelivery to `dueAt`, unless
   * another attempt was recorded meanwhile or it is not waiting for one (then false). The
   * worker calls it for a message that keeps coming back for its turn, so the sweeper does not
   * take a waiting delivery for a stranded one.
   */
  postpone(team: string, id: string, expectedAttemptCount: number, dueAt: Date): Promise<boolean>;
  /** Starts a new round unless another attempt was recorded meanwhile (then false). */
  startNewRound(delivery: Delivery, expectedAttemptCount: number): Promise<boolean>;
  /**
   * One page of the team's log in descending id order, which is newest first: delivery ids
   * begin with their creation time (events.ts, deliveryIdFor). `nextCursor` is null at the end.
   */
  list(query: DeliveryQuery): Promise<{ items: Delivery[]; nextCursor: string | null }>;
  /**
   * A cursor for `list` that goes on right after `delivery` (the same filters given again), for
   * a page its caller ends before `limit` (the deliveries log's byte budget).
   */
  cursorAfter(team: string, delivery: Delivery): string;
  /**
   * Unfinished deliveries whose next attempt is due at or before `dueBefore`, earliest first, at
   * most `limit`: those waiting for a retry or a redelivery. A new delivery is not listed before
   * its first attempt: its queue message is sent before the event is accepted (events.ts), so it
   * cannot be stranded, and a deep backlog of new deliveries is never swept.
   */
  findDue(dueBefore: Date, limit: number): Promise<DueDelivery[]>;
  /**
   * The team's deliveries to `webhookId` created in [since, until) whose status is one of
   * `statuses`, oldest first, at most `limit`: what `recover` starts again.
   */
  findCreatedBetween(query: { team: string; webhookId: string; since: Date; until: Date; statuses: readonly DeliveryStatus[]; limit: number }): Promise<Delivery[]>;
}

/** The record of an accepted event: the event itself (stored once) and the deliveries it made. */
export interface EventRecord {
  team: string;
  eventId: string;
  event: RegistryEvent;
  deliveries: Array<{ id: string; automationId: string; webhookId: string }>;
  createdAt: string;
}

/** Accepted events, by team and event id. */
export interface EventStore {
  get(team: string, eventId: string): Promise<EventRecord | undefined>;
  /** Several at once (for a page of the log); missing ones are left out. */
  getMany(team: string, eventIds: readonly string[]): Promise<Map<string, EventRecord>>;
  /** Stores it unless present; returns the stored one (ours, or the one stored earlier). */
  putIfAbsent(record: EventRecord, expiresAt: Date): Promise<EventRecord>;
}

/** What the delivery queue carries: which delivery, which attempt, not before when. */
export interface DeliveryMessage {
  team: string;
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

/**
 * Whether an attempt may start under a per-second limit shared by every worker: granted, with
 * the moment in this second its turn comes (turns are spread evenly over the second), or refused,
 * with when to come back.
 */
export type RateDecision = { granted: true; startAt: Date } | { granted: false; retryAt: Date };

/**
 * Per-webhook rate limits, counted in a store every worker shares: at most `limit` attempts
 * start in any one second (by the store's clock windows). A refused caller is told when to
 * come back: a later second, by its place in line, so a backlog drains at the limit instead of
 * every waiting message retrying each second.
 */
export interface RateLimiter {
  take(team: string, webhookId: string, limit: number, now: Date): Promise<RateDecision>;
}

/**
 * What every worker knows of the attempts in flight to one webhook, kept in a store they all
 * share: a "slow" mark (a recent attempt took long) and, while it is marked, leases that bound
 * how many attempts run at once. A lease lasts until its `until`, so a worker that dies
 * mid-attempt frees its place by then without anyone cleaning up.
 */
export interface FlightStore {
  /** Until when the webhook is marked slow (null: not marked, or the mark has run out). */
  slowUntil(team: string, webhookId: string, now: Date): Promise<Date | null>;
  /** Marks the webhook slow until `until` (a later mark replaces an earlier one). */
  markSlow(team: string, webhookId: string, until: Date): Promise<void>;
  /**
   * Takes one of `cap` places, held until `until`; returns a token for {@link release}, or null
   * when `cap` leases that have not run out are held.
   */
  acquire(team: string, webhookId: string, cap: number, now: Date, until: Date): Promise<string | null>;
  /** Gives a place back early (a token of leases that have all run out changes nothing). */
  release(team: string, webhookId: string, token: string): Promise<void>;
}

/** Tells a webhook's operators that it was disabled or enabled again (deployed: SNS; local mode: a WARN log line). */
export interface Notifier {
  webhookDisabled(webhook: Webhook, reason: string): Promise<void>;
  webhookEnabled(webhook: Webhook): Promise<void>;
}
