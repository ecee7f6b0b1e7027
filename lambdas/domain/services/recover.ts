/**
 * `POST /teams/{team}/webhooks/{id}/recover`: once an endpoint is fixed, every delivery of the
 * webhook created in a window that ended `failed` or `skipped` starts a new round, as
 * redeliver does. The rounds are paced — started at {@link RECOVER_PACE_PER_SECOND} a second, or
 * the webhook's `rateLimit` when lower, by their first attempt's due time — so a recovering
 * endpoint is not flooded with the backlog it missed (and the rate limit holds at send time too).
 */
import { validationError } from '../errors';
import type { DeliveryMessage } from '../ports';
import { parseBody, recoverSchema } from '../schemas';
import type { Delivery, DeliveryStatus } from '../types';
import type { Deps } from './deps';
import { requireWebhook } from './webhooks';

/** The widest window one call may recover (api.md). */
export const MAX_RECOVER_WINDOW_MS = 30 * 86_400_000;
/** First attempts of recovered deliveries start at most this many a second. */
export const RECOVER_PACE_PER_SECOND = 10;
/** Deliveries one call starts at most (a bound on its time and the queue burst); call again for the rest. */
export const MAX_RECOVERED_PER_CALL = 10_000;

const RECOVERABLE: readonly DeliveryStatus[] = ['failed', 'skipped'];

/** Starts the new rounds; answers how many. */
export async function recoverWebhook(deps: Deps<'webhooks' | 'deliveries' | 'queue' | 'now'>, team: string, id: string, body: unknown) {
  const input = parseBody(recoverSchema, body);
  const now = deps.now();
  const since = new Date(input.since);
  const until = input.until ? new Date(input.until) : now;
  if (!(since.getTime() < until.getTime())) throw validationError('since', 'must be before until');
  if (until.getTime() - since.getTime() > MAX_RECOVER_WINDOW_MS) throw validationError('until', 'must be at most 30 days after since');
  const webhook = await requireWebhook(deps, team, id);
  const found = await deps.deliveries.findCreatedBetween({ team, webhookId: webhook.id, since, until, statuses: RECOVERABLE, limit: MAX_RECOVERED_PER_CALL });
  // The webhook's own rate limit when it is lower: its receiver said what it can take.
  const pace = Math.min(webhook.rateLimit ?? RECOVER_PACE_PER_SECOND, RECOVER_PACE_PER_SECOND);
  const messages: DeliveryMessage[] = [];
  for (const delivery of found) {
    const due = new Date(now.getTime() + Math.floor(messages.length / pace) * 1000);
    const next: Delivery = { ...delivery, status: 'pending', roundAttempts: 0, nextAttemptAt: due.toISOString(), updatedAt: now.toISOString() };
    // A delivery that moved on meanwhile (redelivered by hand) is left to that round.
    if (await deps.deliveries.startNewRound(next, delivery.attemptCount)) {
      messages.push({ team, deliveryId: delivery.id, attempt: delivery.attemptCount + 1, notBefore: due.getTime() });
    }
  }
  await deps.queue.send(messages);
  return { redelivered: messages.length };
}
