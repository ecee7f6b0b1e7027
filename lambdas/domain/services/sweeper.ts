/**
 * The safety net behind "no accepted event is lost": finds deliveries that should have been
 * attempted by now but were not (a lost queue message, a crash between steps, local mode's
 * in-memory queue after a restart) and enqueues them again. Duplicates are harmless: the
 * worker skips a message whose attempt was already made.
 */
import type { ServiceDeps } from './deps';

/** 9999-12-31T23:59:59.999Z, the latest instant whose ISO form sorts correctly as text. */
export const LATEST_ISO_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Re-enqueues unfinished deliveries due before `dueBefore`, each for its own due time (so a
 * far-off retry is not made early); returns how many.
 */
export async function sweepDueDeliveries(deps: ServiceDeps, dueBefore: Date, limit = 1000): Promise<number> {
  // Due times are compared as ISO text: past year 9999 toISOString() writes "+275760-…",
  // which sorts before every real date and would find nothing. Clamp to the last 4-digit year.
  const before = Math.min(dueBefore.getTime(), LATEST_ISO_DATE_MS);
  const due = await deps.deliveries.findDue(new Date(before).toISOString(), limit);
  for (let start = 0; start < due.length; start += 10) {
    const batch = due.slice(start, start + 10);
    await deps.queue.send(batch.map(({ id, attemptCount, dueAt }) => ({ deliveryId: id, attempt: attemptCount + 1, notBefore: Date.parse(dueAt) })));
  }
  return due.length;
}
