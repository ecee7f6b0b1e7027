/**
 * Deliveries in a Map, keeping every rule of the DeliveryStore port (the contract suite runs
 * the same tests against this store and the DynamoDB one): conditional writes on
 * `attemptCount`, claims with an expiry, a `due` entry only for deliveries waiting for a retry
 * or a redelivery, and newest-first pages with opaque cursors.
 */
import { validationError } from '../../domain/errors';
import type { DeliveryQuery, DeliveryStore, DueDelivery } from '../../domain/ports';
import type { Delivery } from '../../domain/types';

/** A stored delivery: what the port returns, plus the store's own bookkeeping. */
interface Entry {
  delivery: Delivery;
  /** Epoch ms until which the next attempt is claimed. */
  claimUntil?: number;
  /** Whether the delivery is in the due index (see DeliveryStore.findDue). */
  due: boolean;
}

/**
 * A copy deep enough that no caller can change what is stored through an object it was handed
 * or got back (the worker sets fields on the delivery it loaded). Templates are never changed
 * in place by the service, so they are shared.
 */
function copy(delivery: Delivery): Delivery {
  return { ...delivery, attempts: delivery.attempts.map((attempt) => ({ ...attempt })) };
}

function isOpen(delivery: Delivery): boolean {
  return delivery.status === 'pending' || delivery.status === 'retrying';
}

function sortKey(delivery: Delivery): string {
  return `${delivery.createdAt}#${delivery.id}`;
}

function encodeCursor(team: string, delivery: Delivery): string {
  return Buffer.from(JSON.stringify({ team, after: sortKey(delivery) })).toString('base64url');
}

function decodeCursor(cursor: string, team: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && value.team === team && typeof value.after === 'string') return value.after;
  } catch {
    // fall through: a cursor we did not make
  }
  throw validationError('cursor', 'is not a cursor from this list');
}

/** In-memory DeliveryStore. */
export class MemoryDeliveryStore implements DeliveryStore {
  protected readonly entries = new Map<string, Entry>();

  async get(id: string) {
    const entry = this.entries.get(id);
    return entry ? copy(entry.delivery) : undefined;
  }

  async createIfAbsent(delivery: Delivery) {
    if (this.entries.has(delivery.id)) return false;
    this.entries.set(delivery.id, { delivery: copy(delivery), due: false });
    return true;
  }

  async saveAttemptResult(delivery: Delivery, expectedAttemptCount: number) {
    return this.conditionalUpdate(delivery, expectedAttemptCount);
  }

  async claimAttempt(id: string, expectedAttemptCount: number, now: Date, until: Date) {
    const entry = this.entries.get(id);
    if (!entry || entry.delivery.attemptCount !== expectedAttemptCount || !isOpen(entry.delivery)) return false;
    if (entry.claimUntil !== undefined && !(entry.claimUntil < now.getTime())) return false;
    entry.claimUntil = until.getTime();
    return true;
  }

  async startNewRound(delivery: Delivery, expectedAttemptCount: number) {
    return this.conditionalUpdate(delivery, expectedAttemptCount);
  }

  private conditionalUpdate(delivery: Delivery, expectedAttemptCount: number): boolean {
    const entry = this.entries.get(delivery.id);
    if (!entry || entry.delivery.attemptCount !== expectedAttemptCount) return false;
    // Recording progress ends any claim, as in the DynamoDB store.
    this.entries.set(delivery.id, { delivery: copy(delivery), due: isOpen(delivery) });
    return true;
  }

  async list(query: DeliveryQuery) {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query.team);
    const matching = [...this.entries.values()]
      .map(({ delivery }) => delivery)
      .filter((d) => d.team === query.team && (after === undefined || sortKey(d) < after))
      .filter((d) => (['automationId', 'webhookId', 'eventId', 'status'] as const).every((field) => query[field] === undefined || d[field] === query[field]))
      .sort((a, b) => sortKey(b).localeCompare(sortKey(a)));
    const items = matching.slice(0, query.limit);
    const more = matching.length > query.limit;
    return { items: items.map(copy), nextCursor: more ? encodeCursor(query.team, items[items.length - 1]) : null };
  }

  async findDue(dueBefore: Date, limit: number): Promise<DueDelivery[]> {
    return [...this.entries.values()]
      .filter((entry) => entry.due && entry.delivery.nextAttemptAt !== null && Date.parse(entry.delivery.nextAttemptAt) <= dueBefore.getTime())
      .map(({ delivery }) => ({ id: delivery.id, attemptCount: delivery.attemptCount, dueAt: new Date(delivery.nextAttemptAt!) }))
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
      .slice(0, limit);
  }
}
