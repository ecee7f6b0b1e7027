/**
 * Unit-test dependencies: the shared in-memory adapter set (lambdas/adapters/memory/, the same
 * one the contract suite checks against DynamoDB), with handles tests need on top — store
 * calls made to fail for chosen ids, a record of claims, a queue that can fail once, a
 * scripted sender that records every request, and a clock the test moves by hand.
 */
import type { AttemptFailure } from '../../../lambdas/domain/attempt-failure';
import type { RuntimeConfig } from '../../../lambdas/domain/config';
import type { DeliveryMessage, OutgoingRequest, SendResult, WebhookSender } from '../../../lambdas/domain/ports';
import type { Ports } from '../../../lambdas/domain/services/deps';
import { InFlightGuard } from '../../../lambdas/domain/services/in-flight';
import { sampleEvent as domainSampleEvent } from '../../../lambdas/domain/template';
import { HEALTHY, type Delivery, type RegistryEvent, type Webhook } from '../../../lambdas/domain/types';
import {
  MemoryAutomationStore,
  MemoryDeliveryStore,
  MemoryEventStore,
  MemoryFlightStore,
  MemoryKeyStore,
  MemoryNotifier,
  MemoryQueue,
  MemoryRateLimiter,
  MemorySecretStore,
  MemoryWebhookStore,
} from '../../../lambdas/adapters/memory';

/** Thrown by a store call made to fail. */
export class InjectedFailure extends Error {
  constructor(what: string) {
    super(`injected failure: ${what}`);
    this.name = 'InjectedFailure';
  }
}

/** The in-memory delivery store, with failures on demand and a record of claims. */
export class TestDeliveryStore extends MemoryDeliveryStore {
  /** Ids whose `get` throws. */
  readonly failGet = new Set<string>();
  /** Ids whose `saveAttemptResult` throws. */
  readonly failSave = new Set<string>();
  /** Ids whose `createIfAbsent` throws. */
  readonly failCreate = new Set<string>();
  /** Every successful claim, in order. */
  readonly claims: Array<{ id: string; attempt: number; until: Date }> = [];

  override async get(team: string, id: string) {
    if (this.failGet.has(id)) throw new InjectedFailure(`get ${id}`);
    return super.get(team, id);
  }

  override async createIfAbsent(delivery: Delivery) {
    if (this.failCreate.has(delivery.id)) throw new InjectedFailure(`create ${delivery.id}`);
    return super.createIfAbsent(delivery);
  }

  override async saveAttemptResult(delivery: Delivery, expectedAttemptCount: number) {
    if (this.failSave.has(delivery.id)) throw new InjectedFailure(`save ${delivery.id}`);
    return super.saveAttemptResult(delivery, expectedAttemptCount);
  }

  override async claimAttempt(team: string, id: string, expectedAttemptCount: number, now: Date, until: Date) {
    const claimed = await super.claimAttempt(team, id, expectedAttemptCount, now, until);
    if (claimed) this.claims.push({ id, attempt: expectedAttemptCount + 1, until });
    return claimed;
  }

  /** The stored delivery (a copy), or throws. */
  stored(id: string): Delivery {
    const entry = [...this.entries.values()].find(({ delivery }) => delivery.id === id);
    if (!entry) throw new Error(`no delivery ${id}`);
    return structuredClone(entry.delivery);
  }

  /** How many deliveries are stored. */
  get size(): number {
    return this.entries.size;
  }
}

/** The in-memory queue; `failNext` makes the next send throw. */
export class TestQueue extends MemoryQueue {
  failNext = false;

  override async send(messages: readonly DeliveryMessage[]) {
    if (this.failNext) {
      this.failNext = false;
      throw new InjectedFailure('queue send');
    }
    return super.send(messages);
  }
}

/** The in-memory event store; `failNextPut` makes the next putIfAbsent throw. */
export class TestEventStore extends MemoryEventStore {
  failNextPut = false;

  override async putIfAbsent(...args: Parameters<MemoryEventStore['putIfAbsent']>) {
    if (this.failNextPut) {
      this.failNextPut = false;
      throw new InjectedFailure('event put');
    }
    return super.putIfAbsent(...args);
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
    this.requests.push(structuredClone(request));
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

/** A settable clock. */
export class Clock {
  constructor(public ms: number = Date.parse('2025-01-01T00:00:00.000Z')) {}
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Every port, in memory, with handles on each. */
export interface InMemoryDeps extends Ports {
  keys: MemoryKeyStore;
  webhooks: MemoryWebhookStore;
  automations: MemoryAutomationStore;
  deliveries: TestDeliveryStore;
  events: TestEventStore;
  secrets: MemorySecretStore;
  queue: TestQueue;
  sender: FakeSender;
  notifier: MemoryNotifier;
  rateLimiter: MemoryRateLimiter;
  flights: MemoryFlightStore;
  clock: Clock;
}

/** Builds in-memory deps; `config` overrides the defaults (schedule 5,300,1800; 15 s timeout). */
export function inMemoryDeps(config: Partial<RuntimeConfig> = {}): InMemoryDeps {
  const clock = new Clock();
  const flights = new MemoryFlightStore();
  const settings: RuntimeConfig = {
    secretPrefix: 'registry-webhooks',
    retrySchedule: [5, 300, 1800],
    attemptTimeoutMs: 15000,
    allowHosts: new Set(),
    retentionDays: 30,
    webhookDisableAfterSeconds: 432000,
    secretRotationOverlapSeconds: 86400,
    secretCacheSeconds: 60,
    userAgent: 'registry-webhooks/test',
    ...config,
  };
  return {
    keys: new MemoryKeyStore(),
    webhooks: new MemoryWebhookStore(),
    automations: new MemoryAutomationStore(),
    secrets: new MemorySecretStore(clock.now),
    deliveries: new TestDeliveryStore(),
    events: new TestEventStore(),
    queue: new TestQueue(),
    sender: new FakeSender(),
    notifier: new MemoryNotifier(),
    rateLimiter: new MemoryRateLimiter(),
    flights,
    inFlight: new InFlightGuard(flights, clock.now, settings.attemptTimeoutMs, 10_000, () => 0.5),
    config: settings,
    now: clock.now,
    clock,
  };
}

/** A sample registry event. */
export function sampleEvent(id = 'evt-1'): RegistryEvent {
  const sample = domainSampleEvent();
  return { ...sample, id, artifact: { ...sample.artifact, version: 'wandb-artifact://_id/abc', metadata: { accuracy: 0.93 } } };
}

/** Adds the team's webhook `wh_1` (signed with secret HMAC_KEY) unless it exists; returns it. */
export async function seedWebhook(deps: InMemoryDeps, overrides: Partial<Webhook> = {}): Promise<Webhook> {
  const existing = await deps.webhooks.get('demo', overrides.id ?? 'wh_1');
  if (existing) return existing;
  const at = deps.now().toISOString();
  await deps.secrets.put('demo', 'HMAC_KEY', 'signing-secret-value');
  const hook: Webhook = {
    id: 'wh_1', team: 'demo', name: 'hook', url: 'https://hooks.example.com/in', secret: 'HMAC_KEY', accessToken: null, rateLimit: null, headers: {}, createdAt: at, updatedAt: at,
    health: { ...HEALTHY },
    ...overrides,
  };
  await deps.webhooks.create(hook);
  return hook;
}

/** Adds a webhook (with a signing secret), an event record and a pending delivery to it; returns the delivery. */
export async function seedDelivery(deps: InMemoryDeps, id = 'dlv_1', overrides: Partial<Delivery> = {}): Promise<Delivery> {
  await seedWebhook(deps);
  const at = deps.now().toISOString();
  const delivery: Delivery = {
    id,
    team: 'demo',
    eventId: 'evt-1',
    automationId: 'au_1',
    webhookId: 'wh_1',
    url: 'https://hooks.example.com/in',
    status: 'pending',
    attempts: [],
    attemptCount: 0,
    roundAttempts: 0,
    nextAttemptAt: at,
    createdAt: at,
    updatedAt: at,
    template: { event: '${event_type}', version: '${artifact_version_string}' },
    ...overrides,
  };
  await deps.events.putIfAbsent({ team: delivery.team, eventId: delivery.eventId, event: sampleEvent(delivery.eventId), deliveries: [], createdAt: at });
  await deps.deliveries.createIfAbsent(delivery);
  return delivery;
}
