/**
 * Import first in tests that load handler modules: Powertools reads these when the module-
 * scope logger and metrics are made, so they must be set before (imports run in order).
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'RegistryWebhooksTest';
