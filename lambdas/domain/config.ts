/**
 * Runtime settings, read once from the environment (Lambda env vars in AWS, the shell in
 * local mode). Bad settings fail fast at start rather than at the first delivery.
 */
import { parseRetrySchedule } from './retry';
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
  /** Sent as `User-Agent`. */
  userAgent: string;
}

/** The version in `User-Agent: registry-webhooks/<version>`. */
export const SERVICE_VERSION = '0.1.0';

/** Reads and checks the settings; throws with a clear message on a bad value. */
export function loadRuntimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const attemptTimeoutMs = Number(env.ATTEMPT_TIMEOUT_MS ?? 15000);
  if (!Number.isInteger(attemptTimeoutMs) || attemptTimeoutMs < 100 || attemptTimeoutMs > 30000) {
    throw new Error('ATTEMPT_TIMEOUT_MS must be an integer between 100 and 30000');
  }
  const retentionDays = Number(env.DELIVERY_RETENTION_DAYS ?? 30);
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 3650) {
    throw new Error('DELIVERY_RETENTION_DAYS must be an integer between 1 and 3650');
  }
  let retrySchedule: number[];
  try {
    retrySchedule = parseRetrySchedule(env.RETRY_SCHEDULE);
  } catch (error) {
    // Name the variable: that is what the operator set.
    throw new Error(`RETRY_SCHEDULE: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    secretPrefix: env.SECRET_PREFIX || 'registry-webhooks',
    retrySchedule,
    attemptTimeoutMs,
    allowHosts: parseAllowHosts(env.WEBHOOK_ALLOW_HOSTS),
    retentionDays,
    userAgent: `registry-webhooks/${SERVICE_VERSION}`,
  };
}
