/**
 * Logger and metrics (Powertools), one per process. Logs are JSON; nothing logs request
 * bodies, headers or secret values — only ids, routes, statuses and timings.
 *
 * Each handler logs through its own child of the base logger ({@link handlerLogger}), which
 * carries that handler's Lambda context (request id, cold start, function name). Local mode
 * runs every handler in one process: with one shared logger, the context of whichever handler
 * ran last would be stamped on every other handler's lines. Code shared by several handlers
 * (the notifier) logs through {@link currentLogger}, the logger of the invocation it runs in.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * The service's base logger: level from `POWERTOOLS_LOG_LEVEL` (Powertools also reads
 * `LOG_LEVEL`), service name from `POWERTOOLS_SERVICE_NAME`.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'registry-webhooks' });

const invocationLogger = new AsyncLocalStorage<Logger>();

/**
 * A handler's own logger: a child of {@link logger} (same level, service and keys) whose Lambda
 * context is that handler's alone. Make one per handler module.
 */
export function handlerLogger(): Logger {
  return logger.createChild();
}

/** Runs `work` with `log` as the {@link currentLogger} of everything it calls, awaited or not. */
export function withLogger<T>(log: Logger, work: () => T): T {
  return invocationLogger.run(log, work);
}

/** The logger of the handler invocation in progress; the base logger outside one. */
export function currentLogger(): Logger {
  return invocationLogger.getStore() ?? logger;
}

function makeMetrics(): Metrics {
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'RegistryWebhooks',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'registry-webhooks',
  });
}

/**
 * The service's CloudWatch metrics (EMF), namespace `RegistryWebhooks`. The call is marked
 * pure (and reads the environment inside `makeMetrics`, so nothing else about it has side
 * effects): a bundle whose handler never touches `metrics` — the authorizer — drops it, and
 * with it the Powertools metrics code it would otherwise load on every cold start.
 */
export const metrics = /* @__PURE__ */ makeMetrics();
