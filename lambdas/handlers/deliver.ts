/**
 * The `deliver` Lambda: consumes the delivery queue. Records of a batch are processed in
 * parallel; only the failed ones are reported back (`batchItemFailures`), so SQS retries just
 * those, and a record that keeps failing ends in the DLQ after the redrive count. When every
 * record fails, the whole batch fails (Powertools' full-batch-failure rule).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DELIVERY_FAILED_METRIC } from '../adapters/metric-names';
import { currentLogger, metrics } from '../adapters/observability';
import { traced } from '../adapters/tracing';
import { parseDeliveryMessage } from '../adapters/sqs-queue';
import { deliveryStore, eventStore, flightStore, rateLimiter, webhookStore } from '../adapters/wiring/dynamo';
import { once } from '../adapters/wiring/once';
import { deliveryQueue } from '../adapters/wiring/queue';
import { notifier } from '../adapters/wiring/notifier';
import { secretStore } from '../adapters/wiring/secrets';
import { webhookSender } from '../adapters/wiring/sender';
import { runtimeConfig, systemClock } from '../adapters/wiring/settings';
import type { DeliveryMessage } from '../domain/ports';
import { CLAIM_MARGIN_MS, processDeliveryMessage, type DeliveryWorkerDeps } from '../domain/services/delivery-worker';
import { InFlightGuard } from '../domain/services/in-flight';
import { instrumentHandler } from './instrument';

/**
 * Handles one SQS record; throws to have it retried. Traced as its own subsegment, annotated
 * with the delivery's id, team and attempt, so a delivery's traces can be searched for
 * (`annotation.deliveryId = "dlv_…"`); its DynamoDB, Secrets Manager and SQS calls nest in it.
 */
export async function handleRecord(deps: DeliveryWorkerDeps, record: SQSRecord): Promise<void> {
  const message = parseDeliveryMessage(record.body);
  await traced('## delivery', { deliveryId: message.deliveryId, team: message.team, attempt: message.attempt }, () => handleMessage(deps, message));
}

async function handleMessage(deps: DeliveryWorkerDeps, message: DeliveryMessage): Promise<void> {
  const logger = currentLogger();
  const outcome = await processDeliveryMessage(deps, message);
  if (outcome.kind === 'skipped') {
    metrics.addMetric('DeliverySkipped', MetricUnit.Count, 1);
    logger.info('delivery skipped: webhook disabled', { deliveryId: outcome.delivery.id, team: outcome.delivery.team, webhookId: outcome.delivery.webhookId });
    return;
  }
  if (outcome.kind === 'rate-limited') metrics.addMetric('DeliveryRateLimited', MetricUnit.Count, 1);
  // Sent back because its webhook had its share of attempts in flight: counted, so a hung endpoint shows.
  if (outcome.kind === 'deferred') metrics.addMetric(outcome.slow ? 'DeliveryDeferredSlow' : 'DeliveryDeferred', MetricUnit.Count, 1);
  if (outcome.kind !== 'attempted') return;
  const { delivery, attempt, disabled } = outcome;
  // Operators hear of it on the notification topic; the metric makes disables countable and alarmable.
  if (disabled !== null) metrics.addMetric('WebhookDisabled', MetricUnit.Count, 1);
  metrics.addMetric('AttemptDurationMs', MetricUnit.Milliseconds, attempt.durationMs);
  if (delivery.status === 'succeeded') metrics.addMetric('DeliverySucceeded', MetricUnit.Count, 1);
  if (delivery.status === 'failed') metrics.addMetric(DELIVERY_FAILED_METRIC, MetricUnit.Count, 1);
  if (delivery.status === 'retrying') metrics.addMetric('DeliveryRetrying', MetricUnit.Count, 1);
  const fields = { deliveryId: delivery.id, team: delivery.team, attempt: attempt.number, status: attempt.status, outcome: delivery.status, ms: attempt.durationMs };
  // Every attempt is on record in the deliveries table and counted in metrics; the log adds
  // the failures (what an operator searches for) and keeps successes for DEBUG, which saves
  // CPU per delivery and log ingestion at volume.
  if (delivery.status === 'succeeded') logger.debug('attempt', fields);
  else logger.info('attempt failed', { ...fields, error: attempt.error });
}

/**
 * Builds the SQS handler over a set of dependencies (tests and the benchmark pass their own);
 * {@link handler} is this, instrumented.
 */
export function createDeliverHandler(deps: () => DeliveryWorkerDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    // One processor per invocation: a processor keeps the batch's records and failures in
    // itself, so batches handled at the same time in one process (local mode's poll loops)
    // must not share one, or one batch's failures are reported (and kept) in another's answer.
    const processor = new BatchProcessor(EventType.SQS);
    try {
      return await processPartialResponse(event, (record: SQSRecord) => handleRecord(deps(), record), processor, { processInParallel: true });
    } finally {
      // Batches of hops and stale messages record nothing; publishing them would only warn.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

const deps = once((): DeliveryWorkerDeps => ({
  deliveries: deliveryStore(),
  webhooks: webhookStore(),
  events: eventStore(),
  secrets: secretStore(),
  queue: deliveryQueue(),
  sender: webhookSender(),
  notifier: notifier(),
  rateLimiter: rateLimiter(),
  inFlight: new InFlightGuard(flightStore(), systemClock, runtimeConfig().attemptTimeoutMs, CLAIM_MARGIN_MS),
  config: runtimeConfig(),
  now: systemClock,
}));

/** SQS event source handler: logger context, trace segment (see instrument.ts). */
export const handler = instrumentHandler<SQSEvent, SQSBatchResponse>(createDeliverHandler(deps));
