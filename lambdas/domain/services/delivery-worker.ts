/**
 * One delivery attempt, driven by a queue message. The message says which attempt it is
 * for; the delivery record says which attempts were made. A message for an attempt already
 * made (a duplicate, or one the sweeper re-sent) does nothing, and right before the POST the
 * worker claims the attempt in the record (a lease, `claimAttempt`), so two copies of one
 * message handled at the same time do not both POST it either. A copy that finds the attempt
 * claimed comes back once the claim has expired: if the holder crashed mid-POST, it makes the
 * attempt then; if not, the attempt is recorded by then and the copy is stale.
 *
 * Long waits: SQS can delay a message at most 15 minutes, so a message whose `notBefore`
 * is further out is sent again with the remaining delay (capped at 15 minutes), hop by hop,
 * without touching storage. The record's `nextAttemptAt` stays the source of truth, and
 * the sweeper re-sends the message of a retry that went missing.
 */
import type { Attempt, Delivery, Webhook } from '../types';
import { describeFailure, type AttemptFailure, type AttemptFailureKind } from '../attempt-failure';
import { MissingSecretError, prepareRequest, type PreparedRequest } from '../outgoing';
import type { DeliveryMessage, SendResult } from '../ports';
import { nextRetryDelaySeconds, parseRetryAfter } from '../retry';
import type { Deps } from './deps';
import { turnsPerWindow } from '../rate-windows';
import { recordAttemptHealth } from './webhook-health';
import type { FlightPass, FlightRefusal } from './in-flight';

/** The ports one delivery attempt uses. */
export type DeliveryWorkerDeps = Deps<'deliveries' | 'webhooks' | 'events' | 'secrets' | 'queue' | 'sender' | 'notifier' | 'rateLimiter' | 'inFlight' | 'config' | 'now'>;

/** How early a message may arrive and still count as due (clock skew, delay rounding). */
const EARLY_TOLERANCE_MS = 1000;

/**
 * How long a claim on an attempt outlives the attempt's time limit: room for rendering,
 * signing and the write that records the result.
 */
export const CLAIM_MARGIN_MS = 10_000;

/**
 * Failures no retry can fix, so the delivery fails at once: an address the guard refuses now
 * is refused on every retry (changing the DNS answer or the URL means a new round: redeliver),
 * a URL that does not parse stays so, and a deleted webhook or an expired event leave nothing to
 * send. Everything else (timeouts, refusals, HTTP statuses, a missing secret an admin may put
 * back) follows the schedule.
 */
export const FINAL_FAILURES: ReadonlySet<AttemptFailureKind> = new Set(['blocked-address', 'invalid-url', 'webhook-deleted', 'event-expired']);

/**
 * Whether no retry can fix this failure: a final kind, or a `410 Gone` status line (the webhook
 * is disabled too), however its body then ended (cut off, or still arriving at the deadline):
 * the status decides, as it does for webhook health.
 */
export function isFinal(failure: AttemptFailure, status: number | null): boolean {
  return FINAL_FAILURES.has(failure.kind) || status === 410;
}

/** What happened to one message, for metrics and logs. */
export type WorkerOutcome =
  | { kind: 'hop' }
  | { kind: 'stale' }
  | { kind: 'claimed-elsewhere' }
  /** Over its webhook's rate limit: sent back to wait for its turn (not an attempt). */
  | { kind: 'rate-limited' }
  /** Its webhook had as many attempts in flight as it may: sent back for later (not an attempt). */
  | { kind: 'deferred'; slow: boolean }
  /** Its webhook was disabled when it came due: ended `skipped`, no attempt. */
  | { kind: 'skipped'; delivery: Delivery }
  /** `disabled`: the reason, when this attempt disabled the webhook. */
  | { kind: 'attempted'; delivery: Delivery; attempt: Attempt; disabled: string | null };

/** Processes one queue message. Throws only when the message must come back (storage or queue failure). */
export async function processDeliveryMessage(deps: DeliveryWorkerDeps, message: DeliveryMessage): Promise<WorkerOutcome> {
  const now = deps.now();
  if (message.notBefore - now.getTime() > EARLY_TOLERANCE_MS) {
    await deps.queue.send([message]);
    return { kind: 'hop' };
  }
  const delivery = await deps.deliveries.get(message.team, message.deliveryId);
  if (!delivery || delivery.status === 'succeeded' || delivery.status === 'failed' || delivery.status === 'skipped') return { kind: 'stale' };
  const made = delivery.attemptCount;
  if (message.attempt !== made + 1) {
    // This attempt was made already. If it failed and the follow-up message was lost before
    // it was sent, send it again now (another duplicate is harmless: it will be stale).
    if (message.attempt === made && delivery.status === 'retrying') await enqueueNext(deps, delivery);
    return { kind: 'stale' };
  }

  const outcome = await attempt(deps, delivery, message);
  if (outcome === 'claimed-elsewhere') return { kind: 'claimed-elsewhere' };
  if (outcome === 'rate-limited') return { kind: 'rate-limited' };
  if (typeof outcome === 'object' && 'deferred' in outcome) return { kind: 'deferred', slow: outcome.deferred.slow };
  if (outcome === 'disabled') return skip(deps, delivery);
  const { result, webhook } = outcome as Sent;
  const record: Attempt = {
    number: message.attempt,
    at: now.toISOString(),
    status: result.status,
    durationMs: Math.round(result.durationMs),
    error: result.ok ? null : describeFailure(result.failure),
    responseBody: result.responseBody,
  };
  const next = settle(deps, delivery, record, result);
  if (!(await deps.deliveries.saveAttemptResult(next, made))) return { kind: 'stale' };
  // Health follows the recorded attempt (a stale copy above recorded nothing, so counts nothing).
  const disabled = webhook ? await recordAttemptHealth(deps, webhook, result, deps.now()) : null;
  if (next.status === 'retrying') await enqueueNext(deps, next);
  return { kind: 'attempted', delivery: next, attempt: record, disabled };
}

/** Ends a delivery whose webhook is disabled: `skipped`, no attempt (redeliver or recover send it later). */
async function skip(deps: DeliveryWorkerDeps, delivery: Delivery): Promise<WorkerOutcome> {
  const at = deps.now().toISOString();
  const skipped: Delivery = { ...delivery, status: 'skipped', nextAttemptAt: null, updatedAt: at };
  if (!(await deps.deliveries.saveAttemptResult(skipped, delivery.attemptCount))) return { kind: 'stale' };
  return { kind: 'skipped', delivery: skipped };
}

/**
 * An attempt's result (with the webhook it went to, when there is one), that the webhook is
 * disabled, or that another copy of the message holds the attempt.
 */
type AttemptOutcome = Sent | { deferred: FlightRefusal } | 'disabled' | 'rate-limited' | 'claimed-elsewhere';

/** An attempt that was made (or failed before sending), with the webhook it went to. */
type Sent = { result: SendResult; webhook: Webhook | undefined };

async function attempt(deps: DeliveryWorkerDeps, delivery: Delivery, message: DeliveryMessage): Promise<AttemptOutcome> {
  // A place among the webhook's attempts in flight first: a message that finds none goes back
  // having cost one read, with nothing rendered or signed for it (a hung endpoint's backlog
  // cycles through here), and before the rate turn (a turn is counted when taken).
  const place = await deps.inFlight.enter(delivery.team, delivery.webhookId);
  if (!('release' in place)) {
    await defer(deps, delivery, message, place.retryAt);
    return { deferred: place };
  }
  try {
    return await attemptInPlace(deps, delivery, message, place);
  } finally {
    await place.release();
  }
}

async function attemptInPlace(deps: DeliveryWorkerDeps, delivery: Delivery, message: DeliveryMessage, place: FlightPass): Promise<AttemptOutcome> {
  const [webhook, eventRecord] = await Promise.all([
    deps.webhooks.get(delivery.team, delivery.webhookId),
    deps.events.get(delivery.team, delivery.eventId),
  ]);
  // Gone for good: retrying for a day would only fill the log.
  if (!webhook) return { result: failedBeforeSending({ kind: 'webhook-deleted' }), webhook };
  if (!webhook.health.enabled) return 'disabled';
  // The event is kept as long as its deliveries (same retention); gone means past retention.
  if (!eventRecord) return { result: failedBeforeSending({ kind: 'event-expired' }), webhook };
  let request: PreparedRequest;
  try {
    request = await prepareRequest(deps, webhook, delivery.template, eventRecord.event, delivery.id);
  } catch (error) {
    // Not final: an admin may create the secret again (e.g. after a mistaken delete in the console).
    if (error instanceof MissingSecretError) return { result: failedBeforeSending({ kind: 'missing-secret', secretName: error.secretName }), webhook };
    throw error;
  }
  // The turn is taken last before the claim and the POST, so the attempt starts in the second
  // it was counted in (taken any earlier, rendering and signing could carry it into the next).
  if (webhook.rateLimit !== null) {
    const turn = await awaitTurn(deps, webhook, webhook.rateLimit);
    if (turn !== true) {
      // Waiting for a turn is not an attempt: the same message comes back when its place in line says.
      await defer(deps, delivery, message, turn);
      return 'rate-limited';
    }
  }
  const now = deps.now();
  const until = new Date(now.getTime() + deps.config.attemptTimeoutMs + CLAIM_MARGIN_MS);
  if (!(await deps.deliveries.claimAttempt(delivery.team, delivery.id, delivery.attemptCount, now, until))) {
    // Another copy of this message is making the attempt (or has made it): look again once
    // its claim has run out. By then the attempt is recorded (this copy is stale) or its
    // holder died and this copy makes it. (Past the early tolerance, so the claim is over
    // even if this copy is handled a little before its time.)
    await deps.queue.send([{ ...message, notBefore: until.getTime() + EARLY_TOLERANCE_MS + 1 }]);
    return 'claimed-elsewhere';
  }
  delivery.url = webhook.url;
  place.sending();
  // Signed now, after any wait for a rate-limit turn: `webhook-timestamp` is this attempt's start.
  return { result: await deps.sender.send(request.signedAt(deps.now())), webhook };
}

/**
 * How overdue a waiting retry may get before a deferral moves its due time: well under the
 * sweeper's grace, so the sweeper never takes a retry that keeps coming back for its turn
 * (or its place) for a stranded one, and a deferral writes at most once in this long.
 */
export const POSTPONE_AFTER_MS = 20_000;

/**
 * Sends the message back to come at `retryAt` (waiting is not an attempt). A retry or
 * redelivery that has waited long gets its due time moved too, so the sweeper sees it waiting.
 */
async function defer(deps: DeliveryWorkerDeps, delivery: Delivery, message: DeliveryMessage, retryAt: Date): Promise<void> {
  await deps.queue.send([{ ...message, notBefore: retryAt.getTime() }]);
  // A delivery never saved since ingest (no attempt, never started again) waits for its first
  // attempt: the sweeper never lists it, so there is nothing to move.
  const sweepable = delivery.attemptCount > 0 || delivery.updatedAt !== delivery.createdAt;
  const due = delivery.nextAttemptAt === null ? null : Date.parse(delivery.nextAttemptAt);
  if (sweepable && due !== null && deps.now().getTime() - due > POSTPONE_AFTER_MS) {
    await deps.deliveries.postpone(delivery.team, delivery.id, delivery.attemptCount, retryAt);
  }
}

/** The longest a worker waits in process for a turn; a longer wait goes back to the queue. */
const MAX_TURN_WAIT_MS = 1000;

/** Takes of a turn one message makes at most before it goes back to the queue. */
const MAX_TAKES = 3;

/**
 * Waits for this message's turn under the webhook's rate limit: a turn in this second, or in the
 * next one (waited for here: the queue's whole-second delays would bring it back late, into a
 * window whose turns are taken). A turn is used only in its slot: a worker that wakes after its
 * slot has passed (a busy process) takes another rather than start late, bunched with the next
 * slot's attempt. A place further back answers when to come back to the queue for its window.
 */
async function awaitTurn(deps: DeliveryWorkerDeps, webhook: Webhook, limit: number): Promise<true | Date> {
  const slotMs = 1000 / turnsPerWindow(limit);
  let comeBackAt = deps.now().getTime() + 1000;
  for (let take = 1; take <= MAX_TAKES; take++) {
    const decision = await deps.rateLimiter.take(webhook.team, webhook.id, limit, deps.now());
    const at = decision.granted ? decision.startAt : decision.retryAt;
    const wait = at.getTime() - deps.now().getTime();
    if (!decision.granted && wait > MAX_TURN_WAIT_MS) {
      comeBackAt = at.getTime();
      break;
    }
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, MAX_TURN_WAIT_MS)));
    if (decision.granted && deps.now().getTime() < at.getTime() + slotMs) return true;
  }
  return new Date(comeBackAt);
}

function failedBeforeSending(failure: AttemptFailure): SendResult {
  return { ok: false, failure, status: null, durationMs: 0, responseBody: '', retryAfter: null };
}

/** The delivery after this attempt: succeeded, failed (schedule spent, or a final failure) or retrying. */
function settle(deps: DeliveryWorkerDeps, delivery: Delivery, record: Attempt, result: SendResult): Delivery {
  const now = deps.now();
  const roundAttempts = delivery.roundAttempts + 1;
  const base = { ...delivery, attempts: [...delivery.attempts, record], attemptCount: delivery.attemptCount + 1, roundAttempts, updatedAt: now.toISOString() };
  if (result.ok) return { ...base, status: 'succeeded', nextAttemptAt: null };
  if (isFinal(result.failure, result.status)) return { ...base, status: 'failed', nextAttemptAt: null };
  const delaySeconds = nextRetryDelaySeconds({
    schedule: deps.config.retrySchedule,
    attemptsInRound: roundAttempts,
    retryAfterSeconds: parseRetryAfter(result.retryAfter, now.getTime()),
    random: Math.random,
  });
  if (delaySeconds === null) return { ...base, status: 'failed', nextAttemptAt: null };
  return { ...base, status: 'retrying', nextAttemptAt: new Date(now.getTime() + delaySeconds * 1000).toISOString() };
}

async function enqueueNext(deps: DeliveryWorkerDeps, delivery: Delivery): Promise<void> {
  const notBefore = Date.parse(delivery.nextAttemptAt ?? deps.now().toISOString());
  await deps.queue.send([{ team: delivery.team, deliveryId: delivery.id, attempt: delivery.attemptCount + 1, notBefore }]);
}
