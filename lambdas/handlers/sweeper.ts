/**
 * The `sweeper` Lambda, run every few minutes: re-enqueues deliveries whose retry is overdue
 * by more than the grace period (longer than a message can legitimately be in flight), so a
 * lost message or a crash between steps never strands a delivery.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from '../adapters/observability';
import { deliveryStore } from '../adapters/wiring/dynamo';
import { deliveryQueue } from '../adapters/wiring/queue';
import { sweepDueDeliveries } from '../domain/services/sweeper';
import { instrumentHandler } from './instrument';

/** Seconds a delivery may be overdue before it counts as lost: above the queue's visibility timeout. */
export const SWEEP_GRACE_SECONDS = Number(process.env.SWEEP_GRACE_SECONDS ?? 420);

/** Scheduled handler (an EventBridge event, which it does not read). */
export const handler = instrumentHandler<unknown, { requeued: number }>(async (_event, _context, logger) => {
  const deps = { deliveries: deliveryStore(), queue: deliveryQueue() };
  const requeued = await sweepDueDeliveries(deps, new Date(Date.now() - SWEEP_GRACE_SECONDS * 1000));
  if (requeued > 0) {
    // A stranded retry is rare (a lost message, a worker that died between two writes): counted, so a rise shows.
    logger.warn('re-enqueued overdue deliveries', { requeued });
    metrics.addMetric('DeliveriesSwept', MetricUnit.Count, requeued);
    metrics.publishStoredMetrics();
  }
  return { requeued };
});
