/**
 * The `sweeper` Lambda, run every few minutes: re-enqueues deliveries whose next attempt is
 * overdue by more than the grace period (longer than a message can legitimately be in
 * flight), so a lost message or a crash between steps never strands a delivery.
 */
import { serviceDeps } from '../adapters/container';
import { logger } from '../adapters/observability';
import { sweepDueDeliveries } from '../domain/services/sweeper';

/** Seconds a delivery may be overdue before it counts as lost: above the queue's visibility timeout. */
export const SWEEP_GRACE_SECONDS = Number(process.env.SWEEP_GRACE_SECONDS ?? 420);

/** Scheduled handler. */
export const handler = async (): Promise<{ requeued: number }> => {
  const deps = serviceDeps();
  const requeued = await sweepDueDeliveries(deps, new Date(deps.now().getTime() - SWEEP_GRACE_SECONDS * 1000));
  if (requeued > 0) logger.warn('re-enqueued overdue deliveries', { requeued });
  return { requeued };
};
