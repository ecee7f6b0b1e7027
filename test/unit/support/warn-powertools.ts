/**
 * Import first in tests that read handlers' WARN/ERROR lines: like quiet-powertools.ts, but
 * the loggers made at module scope log from WARN up. Outside Lambda (no AWS_EXECUTION_ENV), so
 * the tracer is off as in local mode.
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'RegistryWebhooksTest';
delete process.env.AWS_EXECUTION_ENV;
