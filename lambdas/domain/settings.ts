/**
 * The settings the stack sets and the Lambdas read: one definition of each (default, bounds,
 * grammar), so what `cdk synth` accepts is exactly what the Lambdas start with. Until this
 * module each side had its own checks and they drifted (decimal retry steps, the timeout cap).
 *
 * Pure: no AWS SDK, no CDK, so lib/ can use it at synth time and the Lambdas at cold start.
 * Every check takes the name its error should use, because the two callers name the same
 * setting differently: the stack by its prop (`attemptTimeoutMs`), the runtime by its env var
 * (`ATTEMPT_TIMEOUT_MS`). An operator must recognise what they set.
 */

/** Seconds to wait after each failed attempt of a round (7 retries, about 27 hours in total). */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = Object.freeze([5, 300, 1800, 7200, 18000, 36000, 36000]);

/** Default of every shared setting, in the form the stack props take. */
export const SETTING_DEFAULTS = {
  secretPrefix: 'registry-webhooks',
  retrySchedule: DEFAULT_RETRY_SCHEDULE.join(','),
  attemptTimeoutMs: 15000,
  deliveryRetentionDays: 30,
  webhookDisableAfterSeconds: 432000,
  secretRotationOverlapSeconds: 86400,
} as const;

/**
 * Longest attempt timeout: the api Lambda (29 s) sends test deliveries with the same limit and
 * still has to answer, and the deliver Lambda (60 s) must finish a batch.
 */
export const MAX_ATTEMPT_TIMEOUT_MS = 25000;

/** Inclusive bounds of `attemptTimeoutMs` / `ATTEMPT_TIMEOUT_MS`; below 100 ms no TLS handshake finishes. */
export const ATTEMPT_TIMEOUT_MS_BOUNDS = { min: 100, max: MAX_ATTEMPT_TIMEOUT_MS } as const;

/** Inclusive bounds of `deliveryRetentionDays` / `DELIVERY_RETENTION_DAYS` (at most ten years). */
export const DELIVERY_RETENTION_DAYS_BOUNDS = { min: 1, max: 3650 } as const;

/** Inclusive bounds of `webhookDisableAfterSeconds` / `WEBHOOK_DISABLE_AFTER_SECONDS` (1 s for tests, up to a year). */
export const WEBHOOK_DISABLE_AFTER_SECONDS_BOUNDS = { min: 1, max: 31_536_000 } as const;

/**
 * Inclusive bounds of `secretRotationOverlapSeconds` / `SECRET_ROTATION_OVERLAP_SECONDS`: 0 (the
 * previous value never signs) up to 30 days, long enough for any receiver's change process.
 */
export const SECRET_ROTATION_OVERLAP_SECONDS_BOUNDS = { min: 0, max: 2_592_000 } as const;

/**
 * Inclusive bounds of `SECRET_CACHE_SECONDS` (runtime only, not a stack prop: deployed Lambdas
 * keep the documented 60 s; local mode may shorten it so a console-made rotation shows at once).
 */
export const SECRET_CACHE_SECONDS_BOUNDS = { min: 0, max: 300 } as const;

/** How long a read secret value is kept in a process when `SECRET_CACHE_SECONDS` is not set. */
export const DEFAULT_SECRET_CACHE_SECONDS = 60;

/** Limits of a retry schedule: entries per round, and seconds per step (one day). */
export const RETRY_SCHEDULE_BOUNDS = { maxEntries: 20, maxStepSeconds: 86400 } as const;

/**
 * A secret prefix: Secrets Manager name characters in `/`-separated parts, no leading,
 * trailing or doubled slash, because the grants and the names append `/<team>/<name>` and `/*`.
 */
export const SECRET_PREFIX_PATTERN = /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/;

/** The env var each shared setting travels in from the stack to the Lambdas. */
export const SETTING_ENV_VARS = {
  secretPrefix: 'SECRET_PREFIX',
  retrySchedule: 'RETRY_SCHEDULE',
  attemptTimeoutMs: 'ATTEMPT_TIMEOUT_MS',
  deliveryRetentionDays: 'DELIVERY_RETENTION_DAYS',
  webhookDisableAfterSeconds: 'WEBHOOK_DISABLE_AFTER_SECONDS',
} as const;

/**
 * The env var of `secretRotationOverlapSeconds`. Apart from {@link SETTING_ENV_VARS} because only
 * the Lambdas that sign (api: test sends; deliver) get it: see {@link signingEnvironment}.
 */
export const SECRET_ROTATION_OVERLAP_ENV_VAR = 'SECRET_ROTATION_OVERLAP_SECONDS';

/** The env var of the secret cache time (runtime only; see {@link SECRET_CACHE_SECONDS_BOUNDS}). */
export const SECRET_CACHE_ENV_VAR = 'SECRET_CACHE_SECONDS';

/** The shared settings as the stack holds them once checked. */
export interface SharedSettingValues {
  readonly secretPrefix: string;
  /** Normalized schedule text (see {@link normalizeRetrySchedule}). */
  readonly retrySchedule: string;
  readonly attemptTimeoutMs: number;
  readonly deliveryRetentionDays: number;
  readonly webhookDisableAfterSeconds: number;
  readonly secretRotationOverlapSeconds: number;
}

// Plain decimals only: Number() would also take "1e3", "0x10" and "" — not what a human means.
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const WHOLE_NUMBER = /^\d+$/;

const isBlank = (text: string | undefined): text is undefined => text === undefined || text.trim() === '';

/**
 * Parses a schedule such as `5,300,1800`: seconds, comma separated, spaces around entries
 * ignored, decimals allowed (`0.2,0.5`; local tests need sub-second steps). Absent or blank →
 * {@link DEFAULT_RETRY_SCHEDULE}. Throws on anything else: a typo must not silently change
 * delivery behaviour.
 */
export function parseRetrySchedule(text: string | undefined, name: string): number[] {
  if (isBlank(text)) return [...DEFAULT_RETRY_SCHEDULE];
  const entries = text.split(',').map((entry) => entry.trim());
  const { maxEntries, maxStepSeconds } = RETRY_SCHEDULE_BOUNDS;
  if (entries.length > maxEntries) {
    throw new Error(`${name}: at most ${maxEntries} entries allowed, got ${entries.length}`);
  }
  return entries.map((entry) => {
    const seconds = DECIMAL.test(entry) ? Number(entry) : Number.NaN;
    if (!(seconds >= 0 && seconds <= maxStepSeconds)) {
      throw new Error(`${name}: "${entry}" is not a number of seconds from 0 to ${maxStepSeconds}`);
    }
    return seconds;
  });
}

/**
 * Checks a schedule as {@link parseRetrySchedule} does and returns its text with the spaces
 * around entries removed (blank → the default's text). The entries are kept as written rather
 * than re-printed from numbers, so the Lambdas parse back exactly the same seconds.
 */
export function normalizeRetrySchedule(text: string | undefined, name: string): string {
  parseRetrySchedule(text, name);
  if (isBlank(text)) return SETTING_DEFAULTS.retrySchedule;
  return text
    .split(',')
    .map((entry) => entry.trim())
    .join(',');
}

/** Checks a secret prefix against {@link SECRET_PREFIX_PATTERN}; absent or blank → the default. */
export function parseSecretPrefix(text: string | undefined, name: string): string {
  if (isBlank(text)) return SETTING_DEFAULTS.secretPrefix;
  if (!SECRET_PREFIX_PATTERN.test(text)) {
    throw new Error(
      `${name} "${text}" must be Secrets Manager name characters (A-Z a-z 0-9 _+=.@-) in /-separated parts, without a leading or trailing slash`,
    );
  }
  return text;
}

/**
 * An integer within bounds, from a number (stack props) or from its text (env vars: digits
 * only, spaces around them ignored; not "1e3", "0x10" or "" — Number() would take those).
 * `undefined` → `fallback`.
 */
function integerSetting(value: number | string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = typeof value === 'number' ? value : WHOLE_NUMBER.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
    throw new Error(`${name} must be an integer between ${min} and ${max}, got ${shown}`);
  }
  return parsed;
}

/** One attempt's time limit in milliseconds, within {@link ATTEMPT_TIMEOUT_MS_BOUNDS}; absent → the default. */
export function parseAttemptTimeoutMs(value: number | string | undefined, name: string): number {
  const { min, max } = ATTEMPT_TIMEOUT_MS_BOUNDS;
  return integerSetting(value, name, SETTING_DEFAULTS.attemptTimeoutMs, min, max);
}

/** Days deliveries and event records are kept, within {@link DELIVERY_RETENTION_DAYS_BOUNDS}; absent → the default. */
export function parseDeliveryRetentionDays(value: number | string | undefined, name: string): number {
  const { min, max } = DELIVERY_RETENTION_DAYS_BOUNDS;
  return integerSetting(value, name, SETTING_DEFAULTS.deliveryRetentionDays, min, max);
}

/** How long every attempt to a webhook may fail before it is disabled, within {@link WEBHOOK_DISABLE_AFTER_SECONDS_BOUNDS}; absent → 5 days. */
export function parseWebhookDisableAfterSeconds(value: number | string | undefined, name: string): number {
  const { min, max } = WEBHOOK_DISABLE_AFTER_SECONDS_BOUNDS;
  return integerSetting(value, name, SETTING_DEFAULTS.webhookDisableAfterSeconds, min, max);
}

/**
 * How long after a secret gets a new value its previous value also signs (`webhook-signature`),
 * within {@link SECRET_ROTATION_OVERLAP_SECONDS_BOUNDS}; absent → 1 day.
 */
export function parseSecretRotationOverlapSeconds(value: number | string | undefined, name: string): number {
  const { min, max } = SECRET_ROTATION_OVERLAP_SECONDS_BOUNDS;
  return integerSetting(value, name, SETTING_DEFAULTS.secretRotationOverlapSeconds, min, max);
}

/** How long a process keeps a secret it read, within {@link SECRET_CACHE_SECONDS_BOUNDS}; absent → 60 s. */
export function parseSecretCacheSeconds(value: number | string | undefined, name: string): number {
  const { min, max } = SECRET_CACHE_SECONDS_BOUNDS;
  return integerSetting(value, name, DEFAULT_SECRET_CACHE_SECONDS, min, max);
}

/**
 * The env vars that carry checked settings to the Lambdas, in the text the runtime parses
 * back to the same values (numbers as plain decimal integers).
 */
export function settingsEnvironment(values: SharedSettingValues): Record<(typeof SETTING_ENV_VARS)[keyof typeof SETTING_ENV_VARS], string> {
  return {
    [SETTING_ENV_VARS.secretPrefix]: values.secretPrefix,
    [SETTING_ENV_VARS.retrySchedule]: values.retrySchedule,
    [SETTING_ENV_VARS.attemptTimeoutMs]: String(values.attemptTimeoutMs),
    [SETTING_ENV_VARS.deliveryRetentionDays]: String(values.deliveryRetentionDays),
    [SETTING_ENV_VARS.webhookDisableAfterSeconds]: String(values.webhookDisableAfterSeconds),
  };
}

/** The env vars of the Lambdas that sign requests (api for test sends, deliver), on top of {@link settingsEnvironment}. */
export function signingEnvironment(values: Pick<SharedSettingValues, 'secretRotationOverlapSeconds'>): Record<typeof SECRET_ROTATION_OVERLAP_ENV_VAR, string> {
  return { [SECRET_ROTATION_OVERLAP_ENV_VAR]: String(values.secretRotationOverlapSeconds) };
}
