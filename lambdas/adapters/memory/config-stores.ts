/** API keys, webhooks and automations in Maps, with the rules of their ports (records kept frozen: frozen.ts). */
import { conflict } from '../../domain/errors';
import type { AutomationStore, KeyStore, WebhookStore } from '../../domain/ports';
import type { ApiKeyRecord, Automation, EventType, Webhook } from '../../domain/types';
import { frozenCopy } from './frozen';

const byCreation = (a: { createdAt: string }, b: { createdAt: string }) => a.createdAt.localeCompare(b.createdAt);

/** In-memory KeyStore. */
export class MemoryKeyStore implements KeyStore {
  protected readonly byHash = new Map<string, ApiKeyRecord>();

  async findByHash(hash: string) {
    const record = this.byHash.get(hash);
    return record ? { ...record } : undefined;
  }
  async create(record: ApiKeyRecord, hash: string) {
    if (this.byHash.has(hash)) throw new Error('a key with this hash exists');
    this.byHash.set(hash, { ...record });
  }
  async listByTeam(team: string) {
    return [...this.byHash.values()].filter((record) => record.team === team).map((record) => ({ ...record })).sort(byCreation);
  }
  async delete(team: string, id: string) {
    for (const [hash, record] of this.byHash) {
      if (record.id === id && record.team === team) return this.byHash.delete(hash);
    }
    return false;
  }
}

/** In-memory WebhookStore: names unique per team. */
export class MemoryWebhookStore implements WebhookStore {
  protected readonly items = new Map<string, Webhook>();

  async get(team: string, id: string) {
    const hook = this.items.get(id);
    return hook && hook.team === team ? hook : undefined;
  }
  async list(team: string) {
    return [...this.items.values()].filter((hook) => hook.team === team).sort(byCreation);
  }
  async create(webhook: Webhook) {
    this.checkName(webhook);
    this.items.set(webhook.id, frozenCopy(webhook));
  }
  async update(previous: Webhook, next: Webhook) {
    this.checkName(next);
    const stored = this.items.get(next.id);
    if (!stored) return;
    // As in the DynamoDB store: health is written only when the change enables or disables.
    const health = previous.health.enabled !== next.health.enabled ? next.health : stored.health;
    this.items.set(next.id, frozenCopy({ ...next, health }));
  }
  // Each read and its write happen with no await between them, so they are atomic, as the
  // DynamoDB store's single conditional updates are.
  private current(team: string, id: string): Webhook | undefined {
    const hook = this.items.get(id);
    return hook && hook.team === team ? hook : undefined;
  }
  async recordFailure(team: string, id: string, at: Date) {
    const hook = this.current(team, id);
    if (!hook) return undefined;
    const failingSince = hook.health.failingSince ?? at.toISOString();
    const failedAttempts = hook.health.failedAttempts + 1;
    this.items.set(id, frozenCopy({ ...hook, health: { ...hook.health, failingSince, failedAttempts } }));
    return { failingSince, failedAttempts };
  }
  async recordSuccess(team: string, id: string) {
    const hook = this.current(team, id);
    if (hook) this.items.set(id, frozenCopy({ ...hook, health: { ...hook.health, failingSince: null, failedAttempts: 0 } }));
  }
  async disable(team: string, id: string, reason: string, at: Date) {
    const hook = this.current(team, id);
    if (!hook || !hook.health.enabled) return false;
    this.items.set(id, frozenCopy({ ...hook, health: { ...hook.health, enabled: false, disabledReason: reason, disabledAt: at.toISOString() } }));
    return true;
  }
  async delete(webhook: Webhook) {
    this.items.delete(webhook.id);
  }
  private checkName(webhook: Webhook): void {
    const taken = [...this.items.values()].some((hook) => hook.team === webhook.team && hook.name === webhook.name && hook.id !== webhook.id);
    if (taken) throw conflict(`a webhook named ${webhook.name} already exists`);
  }
}

/** In-memory AutomationStore. */
export class MemoryAutomationStore implements AutomationStore {
  protected readonly items = new Map<string, Automation>();

  async get(team: string, id: string) {
    const found = this.items.get(id);
    return found && found.team === team ? found : undefined;
  }
  async list(team: string) {
    return [...this.items.values()].filter((automation) => automation.team === team).sort(byCreation);
  }
  async put(automation: Automation) {
    this.items.set(automation.id, frozenCopy(automation));
  }
  async delete(team: string, id: string) {
    const found = this.items.get(id);
    return found !== undefined && found.team === team && this.items.delete(id);
  }
  async findCandidates(team: string, type: EventType, collection: string, project: string) {
    return [...this.items.values()].filter((a) => a.team === team && a.enabled && a.event.type === type
      && (a.event.collection === undefined || a.event.collection === collection)
      && (a.event.project === undefined || a.event.project === project));
  }
  async isWebhookInUse(team: string, webhookId: string) {
    return [...this.items.values()].some((automation) => automation.team === team && automation.action.webhookId === webhookId);
  }
}
