/**
 * In-memory implementations of the ports (lambdas/domain/ports.ts) for unit tests of the
 * services and handlers: stores that copy what they are given (as a database would), a queue
 * that records what was sent, a scripted sender that records every request, and a clock the
 * test moves by hand. Any store call can be made to fail for chosen ids.
 */
import type { AttemptFailure } from '../../../lambdas/domain/attempt-failure';
import type { RuntimeConfig } from '../../../lambdas/domain/config';
import type {
  AutomationStore,
  DeliveryMessage,
  DeliveryQuery,
  DeliveryQueue,
  DeliveryStore,
  EventRecord,
  EventStore,
  KeyStore,
  OutgoingRequest,
  SecretStore,
  SendResult,
  WebhookSender,
  WebhookStore,
} from '../../../lambdas/domain/ports';
import type { ServiceDeps } from '../../../lambdas/domain/services/deps';
import { sampleEvent as domainSampleEvent } from '../../../lambdas/domain/template';
import type { ApiKeyRecord, Automation, Delivery, RegistryEvent, SecretInfo, Webhook } from '../../../lambdas/domain/types';

const copy = <T>(value: T): T => structuredClone(value);

/** Thrown by a store call made to fail. */
export class InjectedFailure extends Error {
  constructor(what: string) {
    super(`injected failure: ${what}`);
    this.name = 'InjectedFailure';
  }
}

/** Deliveries in a Map, with the same conditional-write rules as the DynamoDB adapter. */
export class InMemoryDeliveryStore implements DeliveryStore {
  readonly items = new Map<string, { delivery: Delivery; claimUntil?: string }>();
  /** Ids whose `get` throws. */
  readonly failGet = new Set<string>();
  /** Ids whose `saveAttemptResult` throws. */
  readonly failSave = new Set<string>();
  /** Every successful claim, in order. */
  readonly claims: Array<{ id: string; attempt: number; until: string }> = [];

  async get(id: string) {
    if (this.failGet.has(id)) throw new InjectedFailure(`get ${id}`);
    const item = this.items.get(id);
    return item ? copy(item.delivery) : undefined;
  }

  async createIfAbsent(delivery: Delivery) {
    if (this.items.has(delivery.id)) return false;
    this.items.set(delivery.id, { delivery: copy(delivery) });
    return true;
  }

  async claimAttempt(id: string, expectedAttemptCount: number, now: string, until: string) {
    const item = this.items.get(id);
    if (!item || item.delivery.attemptCount !== expectedAttemptCount) return false;
    if (item.delivery.status !== 'pending' && item.delivery.status !== 'retrying') return false;
    if (item.claimUntil !== undefined && !(item.claimUntil < now)) return false;
    item.claimUntil = until;
    this.claims.push({ id, attempt: expectedAttemptCount + 1, until });
    return true;
  }

  async saveAttemptResult(delivery: Delivery, expectedAttemptCount: number) {
    if (this.failSave.has(delivery.id)) throw new InjectedFailure(`save ${delivery.id}`);
    const item = this.items.get(delivery.id);
    if (!item || item.delivery.attemptCount !== expectedAttemptCount) return false;
    this.items.set(delivery.id, { delivery: copy(delivery) });
    return true;
  }

  async startNewRound(delivery: Delivery, expectedAttemptCount: number) {
    const item = this.items.get(delivery.id);
    if (!item || item.delivery.attemptCount !== expectedAttemptCount) return false;
    this.items.set(delivery.id, { delivery: copy(delivery) });
    return true;
  }

  async list(query: DeliveryQuery) {
    const all = [...this.items.values()]
      .map(({ delivery }) => delivery)
      .filter((d) => d.team === query.team)
      .filter((d) => (['automationId', 'webhookId', 'eventId', 'status'] as const).every((f) => query[f] === undefined || d[f] === query[f]))
      .sort((a, b) => `${b.createdAt}#${b.id}`.localeCompare(`${a.createdAt}#${a.id}`));
    const start = query.cursor === undefined ? 0 : all.findIndex((d) => d.id === query.cursor) + 1;
    const items = all.slice(start, start + query.limit);
    const more = start + query.limit < all.length;
    return { items: copy(items), nextCursor: more ? items[items.length - 1].id : null };
  }

  async findDue(dueBefore: string, limit: number) {
    return [...this.items.values()]
      .map(({ delivery }) => delivery)
      .filter((d) => (d.status === 'pending' || d.status === 'retrying') && d.nextAttemptAt !== null && d.nextAttemptAt <= dueBefore)
      .sort((a, b) => a.nextAttemptAt!.localeCompare(b.nextAttemptAt!))
      .slice(0, limit)
      .map((d) => ({ id: d.id, attemptCount: d.attemptCount, dueAt: d.nextAttemptAt! }));
  }

  /** The stored delivery (a copy), or throws. */
  stored(id: string): Delivery {
    const item = this.items.get(id);
    if (!item) throw new Error(`no delivery ${id}`);
    return copy(item.delivery);
  }
}

/** Webhooks in a Map (no name-uniqueness rules: tests here do not need them). */
export class InMemoryWebhookStore implements WebhookStore {
  readonly items = new Map<string, Webhook>();
  async get(team: string, id: string) {
    const hook = this.items.get(id);
    return hook && hook.team === team ? copy(hook) : undefined;
  }
  async list(team: string) {
    return [...this.items.values()].filter((hook) => hook.team === team).map(copy);
  }
  async create(webhook: Webhook) {
    this.items.set(webhook.id, copy(webhook));
  }
  async update(_previous: Webhook, next: Webhook) {
    this.items.set(next.id, copy(next));
  }
  async delete(webhook: Webhook) {
    this.items.delete(webhook.id);
  }
}

/** Secret values by `team/name`. */
export class InMemorySecretStore implements SecretStore {
  readonly values = new Map<string, { value: string; info: SecretInfo }>();
  async put(team: string, name: string, value: string) {
    const key = `${team}/${name}`;
    const now = new Date().toISOString();
    const earlier = this.values.get(key);
    const info = { name, createdAt: earlier?.info.createdAt ?? now, updatedAt: now };
    this.values.set(key, { value, info });
    return { created: earlier === undefined, info };
  }
  async list(team: string) {
    return [...this.values.entries()].filter(([key]) => key.startsWith(`${team}/`)).map(([, { info }]) => info);
  }
  async exists(team: string, name: string) {
    return this.values.has(`${team}/${name}`);
  }
  async getValue(team: string, name: string) {
    return this.values.get(`${team}/${name}`)?.value;
  }
  async delete(team: string, name: string) {
    return this.values.delete(`${team}/${name}`);
  }
}

/** Records every message sent; `failNext` makes the next send throw. */
export class InMemoryQueue implements DeliveryQueue {
  readonly sent: DeliveryMessage[] = [];
  failNext = false;
  async send(messages: readonly DeliveryMessage[]) {
    if (this.failNext) {
      this.failNext = false;
      throw new InjectedFailure('queue send');
    }
    this.sent.push(...messages.map(copy));
  }
  /** Takes (and forgets) everything sent so far. */
  drain(): DeliveryMessage[] {
    return this.sent.splice(0, this.sent.length);
  }
}

/**
 * What the fake sender answers. It succeeds for a 2xx status without a `failure`; otherwise it
 * fails with `failure`, by default what the real sender would report for that status
 * (`connection-refused` for no status, `http-status` for a non-2xx one).
 */
export interface FakeAnswer {
  status: number | null;
  failure?: AttemptFailure;
  durationMs?: number;
  responseBody?: string;
  retryAfter?: string | null;
}

function defaultFailure(status: number | null): AttemptFailure {
  return status === null ? { kind: 'connection-refused' } : { kind: 'http-status', status };
}

/** Records every request; answers from `script`, then `fallback`. `hold` keeps answers back until released. */
export class FakeSender implements WebhookSender {
  readonly requests: OutgoingRequest[] = [];
  script: FakeAnswer[] = [];
  fallback: FakeAnswer = { status: 200 };
  private held: Array<() => void> | null = null;

  async send(request: OutgoingRequest): Promise<SendResult> {
    this.requests.push(copy(request));
    if (this.held) await new Promise<void>((resolve) => this.held!.push(resolve));
    const answer = this.script.shift() ?? this.fallback;
    const { status } = answer;
    const rest = { durationMs: answer.durationMs ?? 5, responseBody: answer.responseBody ?? '', retryAfter: answer.retryAfter ?? null };
    if (answer.failure === undefined && status !== null && status >= 200 && status < 300) return { ok: true, status, ...rest };
    return { ok: false, failure: answer.failure ?? defaultFailure(status), status, ...rest };
  }

  /** From now on, sends wait until `release()`. */
  hold(): void {
    this.held = [];
  }

  /** Lets every waiting send answer, and stops holding. */
  release(): void {
    const waiting = this.held ?? [];
    this.held = null;
    for (const resolve of waiting) resolve();
  }
}

class UnusedKeyStore implements KeyStore {
  async findByHash(): Promise<ApiKeyRecord | undefined> {
    return undefined;
  }
  async create() {}
  async listByTeam() {
    return [];
  }
  async delete() {
    return false;
  }
}

class InMemoryAutomationStore implements AutomationStore {
  readonly items = new Map<string, Automation>();
  async get(team: string, id: string) {
    const found = this.items.get(id);
    return found && found.team === team ? copy(found) : undefined;
  }
  async list(team: string) {
    return [...this.items.values()].filter((a) => a.team === team).map(copy);
  }
  async put(automation: Automation) {
    this.items.set(automation.id, copy(automation));
  }
  async delete(_team: string, id: string) {
    return this.items.delete(id);
  }
  async findByIndexKeys() {
    return [...this.items.values()].map(copy);
  }
  async isWebhookInUse(team: string, webhookId: string) {
    return [...this.items.values()].some((a) => a.team === team && a.action.webhookId === webhookId);
  }
}

class InMemoryEventStore implements EventStore {
  readonly items = new Map<string, EventRecord>();
  async get(team: string, eventId: string) {
    return this.items.get(`${team}/${eventId}`);
  }
  async putIfAbsent(record: EventRecord) {
    const key = `${record.team}/${record.eventId}`;
    const earlier = this.items.get(key);
    if (earlier) return earlier;
    this.items.set(key, record);
    return record;
  }
}

/** A settable clock. */
export class Clock {
  constructor(public ms: number = Date.parse('2025-01-01T00:00:00.000Z')) {}
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** The whole set, with handles on each fake. */
export interface InMemoryDeps extends ServiceDeps {
  deliveries: InMemoryDeliveryStore;
  webhooks: InMemoryWebhookStore;
  secrets: InMemorySecretStore;
  queue: InMemoryQueue;
  sender: FakeSender;
  clock: Clock;
}

/** Builds in-memory deps; `config` overrides the defaults (schedule 5,300,1800; 15 s timeout). */
export function inMemoryDeps(config: Partial<RuntimeConfig> = {}): InMemoryDeps {
  const clock = new Clock();
  return {
    keys: new UnusedKeyStore(),
    webhooks: new InMemoryWebhookStore(),
    automations: new InMemoryAutomationStore(),
    secrets: new InMemorySecretStore(),
    deliveries: new InMemoryDeliveryStore(),
    events: new InMemoryEventStore(),
    queue: new InMemoryQueue(),
    sender: new FakeSender(),
    config: {
      secretPrefix: 'registry-webhooks',
      retrySchedule: [5, 300, 1800],
      attemptTimeoutMs: 15000,
      allowHosts: new Set(),
      retentionDays: 30,
      userAgent: 'registry-webhooks/test',
      ...config,
    },
    now: clock.now,
    clock,
  };
}

/** A sample registry event. */
export function sampleEvent(id = 'evt-1'): RegistryEvent {
  const sample = domainSampleEvent();
  return { ...sample, id, artifact: { ...sample.artifact, version: 'wandb-artifact://_id/abc', metadata: { accuracy: 0.93 } } };
}

/** Adds a webhook (with a signing secret) and a pending delivery to it; returns the delivery. */
export async function seedDelivery(deps: InMemoryDeps, id = 'dlv_1', overrides: Partial<Delivery> = {}): Promise<Delivery> {
  const at = deps.now().toISOString();
  if (!(await deps.webhooks.get('demo', 'wh_1'))) {
    await deps.secrets.put('demo', 'HMAC_KEY', 'signing-secret-value');
    await deps.webhooks.create({
      id: 'wh_1', team: 'demo', name: 'hook', url: 'https://hooks.example.com/in', secret: 'HMAC_KEY', accessToken: null, createdAt: at, updatedAt: at,
    });
  }
  const delivery: Delivery = {
    id,
    team: 'demo',
    eventId: 'evt-1',
    automationId: 'au_1',
    webhookId: 'wh_1',
    url: 'https://hooks.example.com/in',
    status: 'pending',
    payload: '{"event":"LINK_ARTIFACT"}',
    attempts: [],
    attemptCount: 0,
    roundAttempts: 0,
    nextAttemptAt: at,
    createdAt: at,
    updatedAt: at,
    event: sampleEvent(),
    template: { event: '${event_type}', version: '${artifact_version_string}' },
    ...overrides,
  };
  await deps.deliveries.createIfAbsent(delivery);
  return delivery;
}
