/**
 * Stack settings: the props a platform engineer may change, their defaults, and the checks
 * that turn a bad value into a synth-time error instead of a broken deployment. The settings
 * the Lambdas also read (secret prefix, retry schedule, attempt timeout, retention) are checked
 * by `lambdas/domain/settings.ts`, the module the Lambdas read them with, so a value synth
 * accepts is one the Lambdas start with.
 */
import type { StackProps } from 'aws-cdk-lib';
import {
  MAX_ATTEMPT_TIMEOUT_MS,
  normalizeRetrySchedule,
  parseAttemptTimeoutMs,
  parseDeliveryRetentionDays,
  parseWebhookDisableAfterSeconds,
  parseSecretPrefix,
  parseSecretRotationOverlapSeconds,
  SETTING_DEFAULTS,
} from '../lambdas/domain/settings';

/** Longest `attemptTimeoutMs` (defined with the other shared bounds, in lambdas/domain/settings.ts). */
export { MAX_ATTEMPT_TIMEOUT_MS };

/** Settings of {@link RegistryWebhooksStack}. Every one is optional; defaults are listed. */
export interface RegistryWebhooksStackProps extends StackProps {
  /**
   * Secrets Manager name prefix: team secrets live at `<secretPrefix>/<team>/<name>`, and the
   * Lambdas may only touch secrets under `<secretPrefix>/`. Secrets Manager name characters
   * (`A-Z a-z 0-9 _+=.@-`) in `/`-separated parts, no leading or trailing slash; blank → default.
   * @default 'registry-webhooks'
   */
  readonly secretPrefix?: string;
  /**
   * Seconds between delivery attempts, comma separated (env `RETRY_SCHEDULE` of the Lambdas):
   * at most 20 entries of 0–86400, decimals allowed (`0.5,2`); blank → default.
   * @default '5,300,1800,7200,18000,36000,36000'
   */
  readonly retrySchedule?: string;
  /**
   * One attempt's time limit in milliseconds (env `ATTEMPT_TIMEOUT_MS`), an integer from 100 to
   * {@link MAX_ATTEMPT_TIMEOUT_MS}: well under the deliver Lambda's 60 s and the api Lambda's
   * 29 s (it also sends test deliveries).
   * @default 15000
   */
  readonly attemptTimeoutMs?: number;
  /**
   * Days a delivery record (and an event's idempotency record) is kept before DynamoDB TTL
   * removes it (env `DELIVERY_RETENTION_DAYS`), an integer from 1 to 3650.
   * @default 30
   */
  readonly deliveryRetentionDays?: number;
  /**
   * A webhook whose every attempt has failed for this many seconds, with at least 10 failed
   * attempts, is disabled and its operators notified (env `WEBHOOK_DISABLE_AFTER_SECONDS`),
   * an integer from 1 to 31536000.
   * @default 432000 (5 days)
   */
  readonly webhookDisableAfterSeconds?: number;
  /**
   * Seconds after a secret gets a new value (a `PUT`, or a new version made in the Secrets
   * Manager console) during which its previous value also signs: `webhook-signature` then
   * carries two signatures, the new value's first (env `SECRET_ROTATION_OVERLAP_SECONDS` of the
   * api and deliver Lambdas), an integer from 0 (no overlap) to 2592000 (30 days).
   * @default 86400 (1 day)
   */
  readonly secretRotationOverlapSeconds?: number;
  /**
   * Upper bound of concurrent deliver Lambdas the SQS event source may run (2–1000), so a
   * burst of events cannot flood customer endpoints or the account's Lambda concurrency.
   * @default 10
   */
  readonly deliverMaxConcurrency?: number;
  /**
   * API Gateway steady-state request rate limit (requests per second) for the stage.
   * @default 50
   */
  readonly throttleRateLimit?: number;
  /**
   * API Gateway burst limit (requests) for the stage.
   * @default 100
   */
  readonly throttleBurstLimit?: number;
  /**
   * E-mail address subscribed to the alarm topic. The topic always exists (its ARN is an
   * output, so other subscriptions can be added); only the e-mail subscription is optional.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * Whether the stack sets API Gateway's account-wide CloudWatch Logs role for this region,
   * which execution logging needs. Turn it off where the role is managed centrally.
   * @default true
   */
  readonly apiGatewayCloudWatchRole?: boolean;
  /**
   * Log level of every Lambda (env `POWERTOOLS_LOG_LEVEL`): `DEBUG` (every attempt), `INFO`
   * (every request and failed attempt), `WARN`, `ERROR`.
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;
  /**
   * API Gateway execution logging of the stage: `OFF`, `ERROR` or `INFO`. Execution logs go to
   * a log group API Gateway makes itself (`API-Gateway-Execution-Logs_<api id>/v1`), outside
   * the stack and kept forever unless its retention is set; every request is in the stack's
   * access log anyway (30 days). Never with request or response bodies.
   * @default 'ERROR'
   */
  readonly apiExecutionLogLevel?: ApiExecutionLogLevel;
  /**
   * The one origin the API answers CORS for: the web console's (`https://host[:port]`, no
   * path). Set it when the console is served under your own domain.
   * @default - the console's CloudFront origin (stack output `ConsoleUrl`)
   */
  readonly consoleOrigin?: string;
}

/** Log levels a Lambda may run at. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
/** A Lambda log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];
/** API Gateway execution log levels. */
export const API_EXECUTION_LOG_LEVELS = ['OFF', 'ERROR', 'INFO'] as const;
/** An API Gateway execution log level. */
export type ApiExecutionLogLevel = (typeof API_EXECUTION_LOG_LEVELS)[number];

/** The props with every default filled in and every value checked. */
export type ResolvedSettings = Readonly<
  Required<Omit<RegistryWebhooksStackProps, keyof StackProps | 'alarmEmail' | 'consoleOrigin'>> & Pick<RegistryWebhooksStackProps, 'alarmEmail' | 'consoleOrigin'>
>;

/** Defaults of {@link RegistryWebhooksStackProps}, exported so docs and tests can quote them. */
export const DEFAULTS = {
  ...SETTING_DEFAULTS,
  deliverMaxConcurrency: 10,
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  apiGatewayCloudWatchRole: true,
  logLevel: 'INFO',
  apiExecutionLogLevel: 'ERROR',
} as const;

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value.trim() === '') return fallback;
  const upper = value.trim().toUpperCase();
  if (!(allowed as readonly string[]).includes(upper)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return upper as T;
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/** Fills in defaults and rejects values the service could not run with. */
export function resolveSettings(props: RegistryWebhooksStackProps = {}): ResolvedSettings {
  const throttleRateLimit = props.throttleRateLimit ?? DEFAULTS.throttleRateLimit;
  if (!(throttleRateLimit > 0)) throw new Error('throttleRateLimit must be greater than 0');
  const alarmEmail = props.alarmEmail?.trim() || undefined;
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`alarmEmail "${alarmEmail}" is not an e-mail address`);
  }
  const consoleOrigin = props.consoleOrigin?.trim() || undefined;
  // An origin only (scheme, host, port): a browser compares Access-Control-Allow-Origin to it exactly.
  if (consoleOrigin !== undefined && !/^(https:\/\/[A-Za-z0-9.-]+|http:\/\/(localhost|127\.0\.0\.1))(:\d{1,5})?$/.test(consoleOrigin)) {
    throw new Error(`consoleOrigin "${consoleOrigin}" must be an origin such as https://console.example.com (https, no path; http only for localhost)`);
  }
  return {
    // Shared with the Lambdas: named by prop, checked by the rules the Lambdas read them with.
    secretPrefix: parseSecretPrefix(props.secretPrefix, 'secretPrefix'),
    retrySchedule: normalizeRetrySchedule(props.retrySchedule, 'retrySchedule'),
    attemptTimeoutMs: parseAttemptTimeoutMs(props.attemptTimeoutMs, 'attemptTimeoutMs'),
    deliveryRetentionDays: parseDeliveryRetentionDays(props.deliveryRetentionDays, 'deliveryRetentionDays'),
    webhookDisableAfterSeconds: parseWebhookDisableAfterSeconds(props.webhookDisableAfterSeconds, 'webhookDisableAfterSeconds'),
    secretRotationOverlapSeconds: parseSecretRotationOverlapSeconds(props.secretRotationOverlapSeconds, 'secretRotationOverlapSeconds'),
    // The SQS event source accepts 2–1000.
    deliverMaxConcurrency: integerIn('deliverMaxConcurrency', props.deliverMaxConcurrency ?? DEFAULTS.deliverMaxConcurrency, 2, 1000),
    throttleRateLimit,
    throttleBurstLimit: integerIn('throttleBurstLimit', props.throttleBurstLimit ?? DEFAULTS.throttleBurstLimit, 1, 5000),
    alarmEmail,
    apiGatewayCloudWatchRole: props.apiGatewayCloudWatchRole ?? DEFAULTS.apiGatewayCloudWatchRole,
    logLevel: oneOf('logLevel', props.logLevel, LOG_LEVELS, DEFAULTS.logLevel),
    apiExecutionLogLevel: oneOf('apiExecutionLogLevel', props.apiExecutionLogLevel, API_EXECUTION_LOG_LEVELS, DEFAULTS.apiExecutionLogLevel),
    consoleOrigin,
  };
}
