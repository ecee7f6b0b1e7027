/**
 * Logger and metrics (Powertools), one per process. Logs are JSON; nothing logs request
 * bodies, headers or secret values — only ids, routes, statuses and timings.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** The service's structured logger. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'registry-webhooks' });

function makeMetrics(): Metrics {
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'RegistryWebhooks',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'registry-webhooks',
  });
}

/**
 * The service's CloudWatch metrics (EMF), namespace `RegistryWebhooks`. The call is marked
 * pure (and reads the environment inside `makeMetrics`, so nothing else about it has side
 * effects): a bundle whose handler never touches `metrics` — all but deliver — drops it, and
 * with it the Powertools metrics code it would otherwise load on every cold start.
 */
export const metrics = /* @__PURE__ */ makeMetrics();
