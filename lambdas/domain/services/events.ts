/**
 * Event reports (`POST /teams/{team}/events`). Never loses work and never does it twice:
 * delivery ids are derived from (team, event id, automation id), deliveries are written
 * with put-if-absent and enqueued before the event record is written, and only then is the
 * answer 2xx. A retry after a failure part-way redoes the missing steps; the worker skips a
 * message whose attempt was already made, so nothing is sent twice.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../errors';
import { eventIndexKeys, automationMatches } from '../matching';
import type { DeliveryMessage, EventRecord } from '../ports';
import { eventSchema, parseBody } from '../schemas';
import { PayloadTooLargeError, renderRedacted } from '../template';
import type { Automation, Delivery, RegistryEvent, Webhook } from '../types';
import { expiresAt, type ServiceDeps } from './deps';

/**
 * Largest rendered payload (the redacted copy stored in the deliveries log). With the event
 * (metadata ≤ 64 KiB), the template (≤ 32 KiB) and the newest attempt, a delivery record
 * then always fits in DynamoDB's 400 KB item limit (see delivery-size.ts). An event whose
 * payload for any matching automation is larger is refused before anything is written:
 * otherwise the write would fail on every retry of the report, and the event would be lost.
 */
export const MAX_PAYLOAD_BYTES = 200 * 1024;

/** The answer to an event report. */
export interface EventReportResult {
  status: 200 | 202;
  body: { eventId: string; duplicate: boolean; deliveries: EventRecord['deliveries'] };
}

/** Same inputs, same id: what makes a retried report idempotent. */
export function deliveryIdFor(team: string, eventId: string, automationId: string): string {
  return `dlv_${createHash('sha256').update(`${team}\u0000${eventId}\u0000${automationId}`).digest('hex').slice(0, 32)}`;
}

/** Handles one event report. */
export async function reportEvent(deps: ServiceDeps, team: string, body: unknown): Promise<EventReportResult> {
  const event = parseBody(eventSchema, body) as RegistryEvent;
  // Independent reads, made together: a duplicate report wastes one query, every new one saves a round trip.
  const [earlier, matched] = await Promise.all([deps.events.get(team, event.id), findMatchingAutomations(deps, team, event)]);
  if (earlier) return duplicate(earlier);

  const webhooks = await loadWebhooks(deps, team, matched);
  const now = deps.now();
  const deliveries = matched
    .filter((automation) => webhooks.has(automation.action.webhookId))
    .map((automation) => {
      try {
        const delivery = newDelivery(team, event, automation, webhooks.get(automation.action.webhookId)!, now);
        checkPayloadSize(automation, delivery);
        return delivery;
      } catch (error) {
        if (error instanceof PayloadTooLargeError) throw payloadTooLarge(automation, `more than ${MAX_PAYLOAD_BYTES}`);
        throw error;
      }
    });

  const ttl = expiresAt(deps);
  await Promise.all(deliveries.map((delivery) => deps.deliveries.createIfAbsent(delivery, ttl)));
  const messages: DeliveryMessage[] = deliveries.map((delivery) => ({ deliveryId: delivery.id, attempt: 1, notBefore: now.getTime() }));
  await deps.queue.send(messages);

  const record: EventRecord = {
    team,
    eventId: event.id,
    deliveries: deliveries.map(({ id, automationId, webhookId }) => ({ id, automationId, webhookId })),
    createdAt: now.toISOString(),
  };
  const stored = await deps.events.putIfAbsent(record, ttl);
  if (stored !== record) return duplicate(stored);
  return { status: 202, body: { eventId: event.id, duplicate: false, deliveries: record.deliveries } };
}

function checkPayloadSize(automation: Automation, delivery: Delivery): void {
  const bytes = Buffer.byteLength(delivery.payload);
  if (bytes > MAX_PAYLOAD_BYTES) throw payloadTooLarge(automation, String(bytes));
}

function payloadTooLarge(automation: Automation, size: string): ApiError {
  const message = `payload of automation ${automation.name} renders to ${size} bytes; the limit is ${MAX_PAYLOAD_BYTES}`;
  return new ApiError('VALIDATION_FAILED', message, [{ message }]);
}

function duplicate(record: EventRecord): EventReportResult {
  return { status: 200, body: { eventId: record.eventId, duplicate: true, deliveries: record.deliveries } };
}

/** Candidates come from indexed lookups on (team, type, collection|*); filters run on them only. */
async function findMatchingAutomations(deps: ServiceDeps, team: string, event: RegistryEvent): Promise<Automation[]> {
  const candidates = await deps.automations.findByIndexKeys(eventIndexKeys(team, event));
  // A collection literally named `*` makes both keys the same: count each automation once.
  const unique = new Map(candidates.map((automation) => [automation.id, automation]));
  return [...unique.values()].filter((automation) => automation.team === team && automationMatches(automation, event));
}

async function loadWebhooks(deps: ServiceDeps, team: string, automations: Automation[]): Promise<Map<string, Webhook>> {
  const ids = [...new Set(automations.map((automation) => automation.action.webhookId))];
  const hooks = await Promise.all(ids.map((id) => deps.webhooks.get(team, id)));
  return new Map(hooks.filter((hook): hook is Webhook => hook !== undefined).map((hook) => [hook.id, hook]));
}

function newDelivery(team: string, event: RegistryEvent, automation: Automation, webhook: Webhook, now: Date): Delivery {
  const template = automation.action.payload;
  // Only the redacted form is stored; secret values are looked up at send time. The
  // placeholders only tell the renderer which secret variables exist, to redact them.
  const redacted = renderRedacted(
    template,
    event,
    { accessToken: webhook.accessToken === null ? null : '', secretName: webhook.secret, secretValue: null },
    { maxChars: MAX_PAYLOAD_BYTES },
  );
  return {
    id: deliveryIdFor(team, event.id, automation.id),
    team,
    eventId: event.id,
    automationId: automation.id,
    webhookId: webhook.id,
    url: webhook.url,
    status: 'pending',
    payload: redacted,
    attempts: [],
    attemptCount: 0,
    roundAttempts: 0,
    nextAttemptAt: now.toISOString(),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    event,
    template,
  };
}
