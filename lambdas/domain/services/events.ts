/**
 * Event reports (`POST /teams/{team}/events`). Never loses work and never does it twice:
 * - delivery ids are derived from (team, event id, automation id), and every write is
 *   put-if-absent;
 * - the event's record (the event itself, stored once, and the deliveries it makes) is written
 *   first, then the deliveries, then their queue messages, and only then is the answer 2xx;
 * - a report whose record exists already is a duplicate: before it is answered, whatever an
 *   earlier call left undone (it died part-way) is completed from the record — missing
 *   deliveries are written, and deliveries not yet attempted are enqueued again (a second
 *   message for an attempt is harmless: the worker claims each attempt once).
 */
import { deliveryIdFor } from '../delivery-ids';
import { DomainError } from '../errors';
import { automationMatches } from '../matching';
import type { DeliveryMessage, EventRecord } from '../ports';
import { eventSchema, parseBody } from '../schemas';
import { PayloadTooLargeError, renderForLog } from '../template';
import type { Automation, Delivery, RegistryEvent, Webhook } from '../types';
import { expiresAt, type Deps } from './deps';

/**
 * Largest payload an automation may render for one event (its logged form, secrets redacted).
 * An event whose payload for any matching automation is larger is refused before anything is
 * written: a receiver would be sent megabytes, and the log would show them on every page.
 */
export const MAX_PAYLOAD_BYTES = 200 * 1024;

/** The ports an event report uses. */
export type ReportEventDeps = Deps<'events' | 'automations' | 'webhooks' | 'deliveries' | 'queue' | 'config' | 'now'>;

/** The answer to an event report. */
export interface EventReportResult {
  status: 200 | 202;
  body: { eventId: string; duplicate: boolean; deliveries: EventRecord['deliveries'] };
}

export { deliveryIdFor };

/** Handles one event report. */
export async function reportEvent(deps: ReportEventDeps, team: string, body: unknown): Promise<EventReportResult> {
  const event = parseBody(eventSchema, body) as RegistryEvent;
  // Independent reads, made together: a duplicate report wastes one query, every new one saves a round trip.
  const [earlier, matched] = await Promise.all([deps.events.get(team, event.id), findMatchingAutomations(deps, team, event)]);
  if (earlier) return duplicate(deps, earlier);

  const webhooks = await loadWebhooks(deps, team, matched.map((automation) => automation.action.webhookId));
  const now = deps.now();
  const deliveries = matched
    .filter((automation) => webhooks.has(automation.action.webhookId))
    .map((automation) => newDelivery(team, event, automation, webhooks.get(automation.action.webhookId)!, now.toISOString()));

  const record: EventRecord = {
    team,
    eventId: event.id,
    event,
    deliveries: deliveries.map(({ id, automationId, webhookId }) => ({ id, automationId, webhookId })),
    createdAt: now.toISOString(),
  };
  const ttl = expiresAt(deps);
  const stored = await deps.events.putIfAbsent(record, ttl);
  // Another report of the same event got there first (a concurrent retry): it is the one that counts.
  if (stored !== record) return duplicate(deps, stored);
  await Promise.all(deliveries.map((delivery) => deps.deliveries.createIfAbsent(delivery, ttl)));
  await deps.queue.send(deliveries.map((delivery) => firstAttempt(delivery, now)));
  return { status: 202, body: { eventId: event.id, duplicate: false, deliveries: record.deliveries } };
}

function firstAttempt(delivery: Pick<Delivery, 'team' | 'id'>, now: Date): DeliveryMessage {
  return { team: delivery.team, deliveryId: delivery.id, attempt: 1, notBefore: now.getTime() };
}

/**
 * Answers a repeated report with what the first one made, after completing what it may have
 * left undone (see the top of this file).
 */
async function duplicate(deps: ReportEventDeps, record: EventRecord): Promise<EventReportResult> {
  const stored = await Promise.all(record.deliveries.map((entry) => deps.deliveries.get(record.team, entry.id)));
  const missing = record.deliveries.filter((_, index) => stored[index] === undefined);
  const notStarted = stored.filter((delivery): delivery is Delivery => delivery !== undefined && delivery.attemptCount === 0 && delivery.status === 'pending');
  const created = missing.length > 0 ? await recreate(deps, record, missing) : [];
  const now = deps.now();
  const messages = [...notStarted, ...created].map((delivery) => firstAttempt(delivery, now));
  if (messages.length > 0) await deps.queue.send(messages);
  return { status: 200, body: { eventId: record.eventId, duplicate: true, deliveries: record.deliveries } };
}

/** Writes the deliveries an earlier report recorded but did not get to write. */
async function recreate(deps: ReportEventDeps, record: EventRecord, missing: EventRecord['deliveries']): Promise<Delivery[]> {
  const [automations, webhooks] = await Promise.all([
    Promise.all(missing.map((entry) => deps.automations.get(record.team, entry.automationId))),
    loadWebhooks(deps, record.team, missing.map((entry) => entry.webhookId)),
  ]);
  const ttl = expiresAt(deps);
  const created: Delivery[] = [];
  for (const [index, entry] of missing.entries()) {
    const automation = automations[index];
    const webhook = webhooks.get(entry.webhookId);
    // Deleted since: nothing to deliver to, or nothing to render.
    if (!automation || !webhook) continue;
    const delivery = newDelivery(record.team, record.event, automation, webhook, record.createdAt);
    await deps.deliveries.createIfAbsent(delivery, ttl);
    created.push(delivery);
  }
  return created;
}

/** Candidates come from the store's index on (team, type, project, collection); the patterns run on them only. */
async function findMatchingAutomations(deps: ReportEventDeps, team: string, event: RegistryEvent): Promise<Automation[]> {
  const candidates = await deps.automations.findCandidates(team, event.type, event.artifact.collection, event.project);
  return candidates.filter((automation) => automationMatches(automation, event));
}

async function loadWebhooks(deps: ReportEventDeps, team: string, webhookIds: readonly string[]): Promise<Map<string, Webhook>> {
  const ids = [...new Set(webhookIds)];
  const hooks = await Promise.all(ids.map((id) => deps.webhooks.get(team, id)));
  return new Map(hooks.filter((hook): hook is Webhook => hook !== undefined).map((hook) => [hook.id, hook]));
}

/** A new delivery, after checking that its payload renders within the size limit. */
function newDelivery(team: string, event: RegistryEvent, automation: Automation, webhook: Webhook, at: string): Delivery {
  const template = automation.action.payload;
  checkPayloadSize(automation, template, event);
  return {
    id: deliveryIdFor(team, event.id, automation.id, at),
    team,
    eventId: event.id,
    automationId: automation.id,
    webhookId: webhook.id,
    url: webhook.url,
    status: 'pending',
    attempts: [],
    attemptCount: 0,
    roundAttempts: 0,
    nextAttemptAt: at,
    createdAt: at,
    updatedAt: at,
    template,
  };
}

function checkPayloadSize(automation: Automation, template: unknown, event: RegistryEvent): void {
  let bytes: number;
  try {
    bytes = Buffer.byteLength(renderForLog(template, event, { maxChars: MAX_PAYLOAD_BYTES }));
  } catch (error) {
    if (error instanceof PayloadTooLargeError) throw payloadTooLarge(automation, `more than ${MAX_PAYLOAD_BYTES}`);
    throw error;
  }
  if (bytes > MAX_PAYLOAD_BYTES) throw payloadTooLarge(automation, String(bytes));
}

function payloadTooLarge(automation: Automation, size: string): DomainError {
  const message = `payload of automation ${automation.name} renders to ${size} bytes; the limit is ${MAX_PAYLOAD_BYTES}`;
  return new DomainError('invalid', message, [{ message }]);
}
