/**
 * The safety net behind "an accepted event is never lost": finds deliveries whose retry (or
 * redelivery) should have been attempted by now but was not — its queue message was lost, or
 * the worker died between recording an attempt and enqueueing the next — and enqueues them
 * again. Duplicates are harmless: the worker skips a message whose attempt was already made.
 */
import type { DueDelivery } from '../ports';
import type { Deps } from './deps';

/**
 * Re-enqueues unfinished deliveries due before `dueBefore`, each for its own due time (so a
 * far-off retry is not made early); returns how many.
 */
export async function sweepDueDeliveries(deps: Deps<'deliveries' | 'queue'>, dueBefore: Date, limit = 1000): Promise<number> {
  const due = await deps.deliveries.findDue(dueBefore, limit);
  await requeue(deps, due);
  return due.length;
}

/** Enqueues the next attempt of each delivery, for its due time. */
export async function requeue(deps: Deps<'queue'>, due: readonly DueDelivery[]): Promise<void> {
  await deps.queue.send(due.map(({ team, id, attemptCount, dueAt }) => ({ team, deliveryId: id, attempt: attemptCount + 1, notBefore: dueAt.getTime() })));
}
