/**
 * Lean in-memory ports for the deliver-path figure: Maps holding shallow copies, so what is
 * measured is the deliver path's own code, not a storage engine. The conditional writes follow
 * the DynamoDB adapter's rules (lambdas/adapters/dynamo/delivery-store.ts), so the worker's
 * claim/record logic runs exactly as deployed. Only what the deliver path calls is implemented;
 * secrets come from the caller (the real adapter, see deliver-path.ts).
 */
import type { RuntimeConfig } from '../lambdas/domain/config';
import type { DeliveryMessage, DeliveryQueue, DeliveryStore, SecretStore, WebhookSender, WebhookStore } from '../lambdas/domain/ports';
import type { ServiceDeps } from '../lambdas/domain/services/deps';
import type { Delivery, Webhook } from '../lambdas/domain/types';

const copy = (delivery: Delivery): Delivery => ({ ...delivery, attempts: [...delivery.attempts] });

function unused(what: string): never {
  throw new Error(`${what} is not used by the deliver path`);
}

/** Deliveries by id, with the adapter's conditions on claims and attempt records. */
export class MemoryDeliveryStore implements DeliveryStore {
  readonly items = new Map<string, { delivery: Delivery; claimUntil?: string }>();

  async get(id: string) {
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
    return true;
  }
  async saveAttemptResult(delivery: Delivery, expectedAttemptCount: number) {
    const item = this.items.get(delivery.id);
    if (!item || item.delivery.attemptCount !== expectedAttemptCount) return false;
    this.items.set(delivery.id, { delivery: copy(delivery) });
    return true;
  }
  async startNewRound(): Promise<boolean> {
    return unused('startNewRound');
  }
  async list(): Promise<never> {
    return unused('list');
  }
  async findDue(): Promise<never> {
    return unused('findDue');
  }
  /** How many deliveries are in `status`. */
  countStatus(status: Delivery['status']): number {
    let count = 0;
    for (const { delivery } of this.items.values()) if (delivery.status === status) count++;
    return count;
  }
}

class MemoryWebhookStore implements WebhookStore {
  readonly items = new Map<string, Webhook>();
  async get(team: string, id: string) {
    const hook = this.items.get(id);
    return hook && hook.team === team ? { ...hook } : undefined;
  }
  async list(): Promise<never> {
    return unused('webhooks.list');
  }
  async create(webhook: Webhook) {
    this.items.set(webhook.id, { ...webhook });
  }
  async update(): Promise<never> {
    return unused('webhooks.update');
  }
  async delete(): Promise<never> {
    return unused('webhooks.delete');
  }
}

class MemoryQueue implements DeliveryQueue {
  readonly sent: DeliveryMessage[] = [];
  async send(messages: readonly DeliveryMessage[]) {
    this.sent.push(...messages);
  }
}

/** The deliver path's dependencies over lean in-memory stores, with the given sender and secret store. */
export interface MemoryDeps extends ServiceDeps {
  deliveries: MemoryDeliveryStore;
  webhooks: MemoryWebhookStore;
  queue: MemoryQueue;
}

export function memoryDeps(sender: WebhookSender, secrets: SecretStore, config: RuntimeConfig): MemoryDeps {
  const none = () => unused('this store');
  return {
    keys: { findByHash: none, create: none, listByTeam: none, delete: none },
    automations: { get: none, list: none, put: none, delete: none, findByIndexKeys: none, isWebhookInUse: none },
    events: { get: none, putIfAbsent: none },
    webhooks: new MemoryWebhookStore(),
    secrets,
    deliveries: new MemoryDeliveryStore(),
    queue: new MemoryQueue(),
    sender,
    config,
    now: () => new Date(),
  };
}
