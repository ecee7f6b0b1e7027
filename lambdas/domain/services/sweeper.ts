/**
 * The safety net behind "no accepted event is lost": finds deliveries that should have been
 * attempted by now but were not (a lost queue message, a crash between steps, local mode's
 * in-memory queue after a restart) and enqueues them again. Duplicates are harmless: the
 * worker skips a message whose attempt was already made.
 */
import type { ServiceDeps } from './deps';

/**
 * Re-enqueues unfinished deliveries due before `dueBefore`, each for its own due time (so a
 * far-off retry is not made early); returns how many.
 */
export async function sweepDueDeliveries(deps: ServiceDeps, dueBefore: Date, limit = 1000): Promise<number> {
  const due = await deps.deliveries.findDue(dueBefore.toISOString(), limit);
  for (let start = 0; start < due.length; start += 10) {
    const batch = due.slice(start, start + 10);
    await deps.queue.send(batch.map(({ id, attemptCount, dueAt }) => ({ deliveryId: id, attempt: attemptCount + 1, notBefore: Date.parse(dueAt) })));
  }
  return due.length;
}
