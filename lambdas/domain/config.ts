/**
 * Runtime settings, read once from the environment (Lambda env vars in AWS, the shell in
 * local mode). Bad settings fail fast at start rather than at the first delivery.
 */
import {
  parseAttemptTimeoutMs,
  parseDeliveryRetentionDays,
  parseRetrySchedule,
  parseSecretCacheSeconds,
  parseSecretPrefix,
  parseSecretRotationOverlapSeconds,
  parseWebhookDisableAfterSeconds,
  SECRET_CACHE_ENV_VAR,
  SECRET_ROTATION_OVERLAP_ENV_VAR,
  SETTING_ENV_VARS as VAR,
} from './settings';
import { parseAllowHosts } from './url-policy';

/** The settings every handler shares. */
export interface RuntimeConfig {
  /** Secrets Manager names are `<secretPrefix>/<team>/<name>`. */
  secretPrefix: string;
  /** Seconds between attempts of one round. */
  retrySchedule: number[];
  /** One attempt's time limit (connect + answer + body). */
  attemptTimeoutMs: number;
  /** Exact host names exempt from the URL rules (local development only). */
  allowHosts: ReadonlySet<string>;
  /** How long deliveries and event records are kept. */
  retentionDays: number;
  /** A webhook whose every attempt has failed this long (and at least 10 times) is disabled. */
  webhookDisableAfterSeconds: number;
  /** How long after a secret gets a new value its previous value also signs (`webhook-signature`). */
  secretRotationOverlapSeconds: number;
  /** How long a process keeps a secret value it read (deployed: 60 s). */
  secretCacheSeconds: number;
  /** Sent as `User-Agent`. */
  userAgent: string;
}

/** The version in `User-Agent: registry-webhooks/<version>`. */
export const SERVICE_VERSION = '0.2.0';

/**
 * Reads and checks the settings; throws with a clear message naming the variable on a bad
 * value. The shared ones follow `settings.ts`, the same rules the stack checks its props with,
 * so whatever `cdk synth` accepted starts here too.
 */
export function loadRuntimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  return {
    secretPrefix: parseSecretPrefix(env[VAR.secretPrefix], VAR.secretPrefix),
    retrySchedule: parseRetrySchedule(env[VAR.retrySchedule], VAR.retrySchedule),
    attemptTimeoutMs: parseAttemptTimeoutMs(env[VAR.attemptTimeoutMs], VAR.attemptTimeoutMs),
    allowHosts: parseAllowHosts(env.WEBHOOK_ALLOW_HOSTS),
    retentionDays: parseDeliveryRetentionDays(env[VAR.deliveryRetentionDays], VAR.deliveryRetentionDays),
    webhookDisableAfterSeconds: parseWebhookDisableAfterSeconds(env[VAR.webhookDisableAfterSeconds], VAR.webhookDisableAfterSeconds),
    secretRotationOverlapSeconds: parseSecretRotationOverlapSeconds(env[SECRET_ROTATION_OVERLAP_ENV_VAR], SECRET_ROTATION_OVERLAP_ENV_VAR),
    secretCacheSeconds: parseSecretCacheSeconds(env[SECRET_CACHE_ENV_VAR], SECRET_CACHE_ENV_VAR),
    userAgent: `registry-webhooks/${SERVICE_VERSION}`,
  };
}
