/**
 * Reads stack props from CDK context (`-c key=value` or cdk.json), so operators configure a
 * deployment without editing code. Values from `-c` arrive as strings.
 */
import type { App } from 'aws-cdk-lib';
import type { ApiExecutionLogLevel, LogLevel, RegistryWebhooksStackProps } from './config';

/** The stack props present in the app's context; absent ones keep the stack defaults. */
export function propsFromContext(app: App): RegistryWebhooksStackProps {
  const get = (key: string): unknown => app.node.tryGetContext(key);
  const text = (key: string): string | undefined => {
    const value = get(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const number = (key: string): number | undefined => {
    const value = text(key);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw new Error(`context ${key} must be a number, got "${value}"`);
    return parsed;
  };
  const flag = (key: string): boolean | undefined => {
    const value = text(key);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false') throw new Error(`context ${key} must be true or false, got "${value}"`);
    return value === 'true';
  };
  return {
    secretPrefix: text('secretPrefix'),
    retrySchedule: text('retrySchedule'),
    attemptTimeoutMs: number('attemptTimeoutMs'),
    deliveryRetentionDays: number('deliveryRetentionDays'),
    webhookDisableAfterSeconds: number('webhookDisableAfterSeconds'),
    secretRotationOverlapSeconds: number('secretRotationOverlapSeconds'),
    deliverMaxConcurrency: number('deliverMaxConcurrency'),
    throttleRateLimit: number('throttleRateLimit'),
    throttleBurstLimit: number('throttleBurstLimit'),
    alarmEmail: text('alarmEmail'),
    apiGatewayCloudWatchRole: flag('apiGatewayCloudWatchRole'),
    // Checked (and upper-cased) by resolveSettings.
    logLevel: text('logLevel') as LogLevel | undefined,
    apiExecutionLogLevel: text('apiExecutionLogLevel') as ApiExecutionLogLevel | undefined,
    consoleOrigin: text('consoleOrigin'),
  };
}
