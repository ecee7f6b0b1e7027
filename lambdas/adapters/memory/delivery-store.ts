/**
 * Deliveries in a Map by team and id, keeping every rule of the DeliveryStore port (the
 * contract suite runs the same tests against this store and the DynamoDB one): conditional
 * writes on `attemptCount`, claims with an expiry, a `due` entry only for deliveries waiting
 * for a retry or a redelivery, and pages in descending id order with opaque cursors.
 */
import { validationError } from '../../domain/errors';
import type { DeliveryQuery, DeliveryStore, DueDelivery } from '../../domain/ports';
import { deliveryIdRange } from '../../domain/delivery-ids';
import { isPossibleId } from '../../domain/id-limits';
import type { Delivery, DeliveryStatus } from '../../domain/types';

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

function keyOf(team: string, id: string): string {
  return `${team}\u0000${id}`;
}

function encodeCursor(team: string, delivery: Delivery): string {
  return Buffer.from(JSON.stringify({ team, after: delivery.id })).toString('base64url');
}

function decodeCursor(cursor: string, team: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && value.team === team && typeof value.after === 'string' && isPossibleId(value.after)) return value.after;
  } catch {
    // fall through: a cursor we did not make
  }
  throw validationError('cursor', 'is not a cursor from this list');
}

/** In-memory DeliveryStore. */
export class MemoryDeliveryStore implements DeliveryStore {
  protected readonly entries = new Map<string, Entry>();

  async get(team: string, id: string) {
    const entry = this.entries.get(keyOf(team, id));
    return entry ? copy(entry.delivery) : undefined;
  }

  async createIfAbsent(delivery: Delivery) {
    const key = keyOf(delivery.team, delivery.id);
    if (this.entries.has(key)) return false;
    this.entries.set(key, { delivery: copy(delivery), due: false });
    return true;
  }

  async saveAttemptResult(delivery: Delivery, expectedAttemptCount: number) {
    return this.conditionalUpdate(delivery, expectedAttemptCount);
  }

  async claimAttempt(team: string, id: string, expectedAttemptCount: number, now: Date, until: Date) {
    const entry = this.entries.get(keyOf(team, id));
    if (!entry || entry.delivery.attemptCount !== expectedAttemptCount || !isOpen(entry.delivery)) return false;
    if (entry.claimUntil !== undefined && !(entry.claimUntil < now.getTime())) return false;
    entry.claimUntil = until.getTime();
    return true;
  }

  async postpone(team: string, id: string, expectedAttemptCount: number, dueAt: Date) {
    const entry = this.entries.get(keyOf(team, id));
    if (!entry || !entry.due || entry.delivery.attemptCount !== expectedAttemptCount || !isOpen(entry.delivery)) return false;
    entry.delivery = copy({ ...entry.delivery, nextAttemptAt: dueAt.toISOString() });
    return true;
  }

  async startNewRound(delivery: Delivery, expectedAttemptCount: number) {
    return this.conditionalUpdate(delivery, expectedAttemptCount);
  }

  private conditionalUpdate(delivery: Delivery, expectedAttemptCount: number): boolean {
    const key = keyOf(delivery.team, delivery.id);
    const entry = this.entries.get(key);
    if (!entry || entry.delivery.attemptCount !== expectedAttemptCount) return false;
    // Recording progress ends any claim, as in the DynamoDB store.
    this.entries.set(key, { delivery: copy(delivery), due: isOpen(delivery) });
    return true;
  }

  async list(query: DeliveryQuery) {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query.team);
    const matching = [...this.entries.values()]
      .map(({ delivery }) => delivery)
      .filter((d) => d.team === query.team && (after === undefined || d.id < after))
      .filter((d) => (['automationId', 'webhookId', 'eventId', 'status'] as const).every((field) => query[field] === undefined || d[field] === query[field]))
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const items = matching.slice(0, query.limit);
    const more = matching.length > query.limit;
    return { items: items.map(copy), nextCursor: more ? encodeCursor(query.team, items[items.length - 1]) : null };
  }

  cursorAfter(team: string, delivery: Delivery) {
    return encodeCursor(team, delivery);
  }

  async findCreatedBetween(query: { team: string; webhookId: string; since: Date; until: Date; statuses: readonly DeliveryStatus[]; limit: number }) {
    const { from, to } = deliveryIdRange(query.since, query.until);
    return [...this.entries.values()]
      .map(({ delivery }) => delivery)
      .filter((d) => d.team === query.team && d.webhookId === query.webhookId && d.id >= from && d.id <= to && query.statuses.includes(d.status))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, query.limit)
      .map(copy);
  }

  async findDue(dueBefore: Date, limit: number): Promise<DueDelivery[]> {
    return [...this.entries.values()]
      .filter((entry) => entry.due && entry.delivery.nextAttemptAt !== null && Date.parse(entry.delivery.nextAttemptAt) <= dueBefore.getTime())
      .map(({ delivery }) => ({ team: delivery.team, id: delivery.id, attemptCount: delivery.attemptCount, dueAt: new Date(delivery.nextAttemptAt!) }))
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
      .slice(0, limit);
  }
}
