/**
 * Endpoint health (api.md, "Endpoint health and limits"): what each attempt's result does to
 * its webhook. A success ends a failing run; a failure counts in it. A `410 Gone` disables the
 * webhook at once; so does a run in which every attempt has failed for
 * `WEBHOOK_DISABLE_AFTER_SECONDS` with at least {@link MIN_FAILED_ATTEMPTS_TO_DISABLE} attempts.
 * The healthy path writes nothing: only a change of state does.
 */
import type { AttemptFailure, SendResult } from '../attempt-failure';
import type { Webhook } from '../types';
import type { Deps } from './deps';

/** A webhook is disabled for failing only after at least this many failed attempts (and the configured time). */
export const MIN_FAILED_ATTEMPTS_TO_DISABLE = 10;

/** Why a webhook answered 410 is disabled. */
export const GONE_REASON = 'the endpoint answered 410 Gone';

/**
 * Whether a failure is the endpoint's: not a deleted webhook or an expired event, which say
 * nothing about it. (A missing secret does count: every attempt fails until an admin acts.)
 */
function isEndpointFailure(failure: AttemptFailure): boolean {
  return failure.kind !== 'webhook-deleted' && failure.kind !== 'event-expired';
}

/**
 * Records what an attempt to `webhook` came to and disables the webhook when the rules say so
 * (notifying its operators once, whichever worker got there first). Returns the reason when
 * this call disabled it.
 */
export async function recordAttemptHealth(
  deps: Deps<'webhooks' | 'notifier' | 'config'>,
  webhook: Webhook,
  result: SendResult,
  at: Date,
): Promise<string | null> {
  if (result.ok) {
    if (webhook.health.failingSince !== null) await deps.webhooks.recordSuccess(webhook.team, webhook.id);
    return null;
  }
  if (!isEndpointFailure(result.failure)) return null;
  const run = await deps.webhooks.recordFailure(webhook.team, webhook.id, at);
  if (!run) return null;
  const reason = disableReason(result, run, at, deps.config.webhookDisableAfterSeconds);
  if (reason === null || !(await deps.webhooks.disable(webhook.team, webhook.id, reason, at))) return null;
  await deps.notifier.webhookDisabled(webhook, reason);
  return reason;
}

/** Why the webhook must be disabled after this failure, or null. */
export function disableReason(result: SendResult, run: { failingSince: string; failedAttempts: number }, at: Date, disableAfterSeconds: number): string | null {
  if (result.status === 410) return GONE_REASON;
  const failingForSeconds = (at.getTime() - Date.parse(run.failingSince)) / 1000;
  if (run.failedAttempts < MIN_FAILED_ATTEMPTS_TO_DISABLE || failingForSeconds < disableAfterSeconds) return null;
  return `every attempt failed since ${run.failingSince} (${run.failedAttempts} attempts)`;
}
