/** The deliveries log: list, look at, and redeliver. */
import { conflict, notFound, validationError } from '../errors';
import { isPossibleId, MAX_ID_LENGTH } from '../id-limits';
import type { EventRecord } from '../ports';
import { renderForLog } from '../template';
import type { Delivery, DeliveryStatus } from '../types';
import type { Deps } from './deps';

/**
 * Largest page of the deliveries log, in bytes of its items' JSON: a page holds at most `limit`
 * deliveries and ends early, with a `nextCursor`, before its items pass 1 MiB (api.md's limit
 * is a maximum). Far below Lambda's 6 MB answer limit, and a page a browser shows at once.
 */
export const PAGE_BYTE_BUDGET = 1024 * 1024;

const STATUSES: readonly DeliveryStatus[] = ['pending', 'retrying', 'succeeded', 'failed', 'skipped'];

/**
 * The delivery as the API shows it (api.md, "Deliveries"). `payload` is the body as sent with
 * secrets redacted, rendered again from the stored event and template (it is not stored); an
 * event already past retention leaves it empty.
 */
export function toDeliveryResponse(delivery: Delivery, event: EventRecord | undefined) {
  const { id, eventId, automationId, webhookId, url, status, attempts, nextAttemptAt, createdAt, updatedAt } = delivery;
  const payload = event ? renderForLog(delivery.template, event.event) : '';
  return { id, eventId, automationId, webhookId, url, status, payload, attempts, nextAttemptAt, createdAt, updatedAt };
}

async function requireDelivery(deps: Deps<'deliveries'>, team: string, id: string): Promise<Delivery> {
  // Another team's delivery is not found (not forbidden): ids must not leak across teams.
  const delivery = await deps.deliveries.get(team, id);
  if (!delivery) throw notFound('delivery');
  return delivery;
}

/** `GET /teams/{team}/deliveries?automationId=&webhookId=&eventId=&status=&limit=&cursor=`, newest first. */
export async function listDeliveries(deps: Deps<'deliveries' | 'events'>, team: string, query: Record<string, string | undefined>) {
  const limit = query.limit === undefined || query.limit === '' ? 50 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw validationError('limit', 'must be an integer from 1 to 100');
  if (query.status !== undefined && !STATUSES.includes(query.status as DeliveryStatus)) {
    throw validationError('status', `must be one of ${STATUSES.join(', ')}`);
  }
  // Longer than any id (event ids: 1-128 characters too) matches nothing; refused so a typo'd paste is not a silent empty page.
  for (const field of ['automationId', 'webhookId', 'eventId'] as const) {
    const value = query[field];
    if (value && !isPossibleId(value)) throw validationError(field, `must be at most ${MAX_ID_LENGTH} characters`);
  }
  const page = await deps.deliveries.list({
    team,
    automationId: query.automationId || undefined,
    webhookId: query.webhookId || undefined,
    eventId: query.eventId || undefined,
    status: (query.status || undefined) as DeliveryStatus | undefined,
    limit,
    cursor: query.cursor || undefined,
  });
  const events = await deps.events.getMany(team, [...new Set(page.items.map((delivery) => delivery.eventId))]);
  return withinByteBudget(deps, team, page, (delivery) => toDeliveryResponse(delivery, events.get(delivery.eventId)));
}

/**
 * The page as answered, ended early once its items reach {@link PAGE_BYTE_BUDGET}: a delivery
 * shows its payload (up to 200 KiB) and its attempts' response bodies (8 KiB each), so `limit`
 * full ones could be megabytes, past what a Lambda may answer (6 MB). The first item is always
 * taken (one delivery is well under the budget), so every page moves the listing on.
 */
function withinByteBudget<T>(deps: Deps<'deliveries'>, team: string, page: { items: Delivery[]; nextCursor: string | null }, show: (delivery: Delivery) => T) {
  const items: T[] = [];
  let bytes = 0;
  for (const [index, delivery] of page.items.entries()) {
    const shown = show(delivery);
    bytes += Buffer.byteLength(JSON.stringify(shown)) + 1;
    if (index > 0 && bytes > PAGE_BYTE_BUDGET) return { items, nextCursor: deps.deliveries.cursorAfter(team, page.items[index - 1]) };
    items.push(shown);
  }
  return { items, nextCursor: page.nextCursor };
}

/** `GET /teams/{team}/deliveries/{id}`. */
export async function getDelivery(deps: Deps<'deliveries' | 'events'>, team: string, id: string) {
  const delivery = await requireDelivery(deps, team, id);
  return toDeliveryResponse(delivery, await deps.events.get(team, delivery.eventId));
}

/**
 * `POST /teams/{team}/deliveries/{id}/redeliver`: a new round of attempts with the same
 * delivery id, starting now, whatever the state. A delivery still retrying starts its schedule
 * afresh (its waiting message becomes stale: whichever arrives first makes the next attempt,
 * the other finds it made); an attempt already in flight counts as the redelivery's first.
 */
export async function redeliver(deps: Deps<'deliveries' | 'events' | 'queue' | 'now'>, team: string, id: string) {
  const delivery = await requireDelivery(deps, team, id);
  const now = deps.now();
  const next: Delivery = { ...delivery, status: 'pending', roundAttempts: 0, nextAttemptAt: now.toISOString(), updatedAt: now.toISOString() };
  if (!(await deps.deliveries.startNewRound(next, delivery.attemptCount))) {
    throw conflict('delivery changed meanwhile; try again');
  }
  await deps.queue.send([{ team, deliveryId: id, attempt: delivery.attemptCount + 1, notBefore: now.getTime() }]);
  return toDeliveryResponse(next, await deps.events.get(team, delivery.eventId));
}
