/**
 * The shared settings module (lambdas/domain/settings.ts) on its own: the grammar of each
 * setting, the name callers pass showing up in the error, and the env text it writes. Whether
 * the stack and the runtime both follow it is settings-agreement.test.ts.
 */
import {
  DEFAULT_RETRY_SCHEDULE,
  normalizeRetrySchedule,
  parseAttemptTimeoutMs,
  parseDeliveryRetentionDays,
  parseRetrySchedule,
  parseSecretCacheSeconds,
  parseSecretPrefix,
  parseSecretRotationOverlapSeconds,
  SETTING_DEFAULTS,
  settingsEnvironment,
  signingEnvironment,
} from '../../lambdas/domain/settings';

describe('defaults', () => {
  it('the default schedule text is the default schedule', () => {
    expect(parseRetrySchedule(SETTING_DEFAULTS.retrySchedule, 'x')).toEqual([...DEFAULT_RETRY_SCHEDULE]);
  });

  it('every default passes its own check', () => {
    expect(parseSecretPrefix(SETTING_DEFAULTS.secretPrefix, 'x')).toBe(SETTING_DEFAULTS.secretPrefix);
    expect(parseAttemptTimeoutMs(SETTING_DEFAULTS.attemptTimeoutMs, 'x')).toBe(SETTING_DEFAULTS.attemptTimeoutMs);
    expect(parseDeliveryRetentionDays(SETTING_DEFAULTS.deliveryRetentionDays, 'x')).toBe(SETTING_DEFAULTS.deliveryRetentionDays);
  });
});

describe('parseRetrySchedule', () => {
  it.each<[string, string | undefined, number[]]>([
    ['absent', undefined, [...DEFAULT_RETRY_SCHEDULE]],
    ['empty', '', [...DEFAULT_RETRY_SCHEDULE]],
    ['blank', '   ', [...DEFAULT_RETRY_SCHEDULE]],
    ['default spelled out', '5,300,1800,7200,18000,36000,36000', [5, 300, 1800, 7200, 18000, 36000, 36000]],
    ['decimals', '0.2,0.5', [0.2, 0.5]],
    ['leading dot and trailing dot', '.5,1.', [0.5, 1]],
    ['spaces around entries', ' 1 , 2 ,3 ', [1, 2, 3]],
    ['zero', '0', [0]],
    ['upper bound', '86400', [86400]],
    ['twenty entries', Array(20).fill('1').join(','), Array(20).fill(1) as number[]],
  ])('%s', (_name, text, expected) => {
    expect(parseRetrySchedule(text, 'RETRY_SCHEDULE')).toEqual(expected);
  });

  it('returns a fresh array each time', () => {
    const a = parseRetrySchedule(undefined, 'RETRY_SCHEDULE');
    a.push(1);
    expect(parseRetrySchedule(undefined, 'RETRY_SCHEDULE')).toEqual([...DEFAULT_RETRY_SCHEDULE]);
  });

  it.each<[string, string, RegExp]>([
    ['negative', '5,-1', /^sched: "-1" is not a number of seconds from 0 to 86400$/],
    ['too large', '86401', /"86401"/],
    ['word', '5,soon', /"soon"/],
    ['empty entry', '5,,10', /"" is not a number/],
    ['trailing comma', '5,10,', /"" is not a number/],
    ['space inside an entry', '1 0', /"1 0"/],
    ['exponent', '1e3', /"1e3"/],
    ['hex', '0x10', /"0x10"/],
    ['infinity', 'Infinity', /"Infinity"/],
    ['NaN', 'NaN', /"NaN"/],
    ['semicolons', '1;2', /"1;2"/],
    ['too many entries', Array(21).fill('1').join(','), /^sched: at most 20 entries allowed, got 21$/],
  ])('throws on %s, naming the setting as the caller does', (_name, text, message) => {
    expect(() => parseRetrySchedule(text, 'sched')).toThrow(message);
  });
});

describe('normalizeRetrySchedule', () => {
  it.each<[string | undefined, string]>([
    [undefined, SETTING_DEFAULTS.retrySchedule],
    ['  ', SETTING_DEFAULTS.retrySchedule],
    [' 1 , 2 ,3 ', '1,2,3'],
    // Kept as written: re-printing numbers could produce text the grammar refuses (1e-7).
    ['.5,1.,0.0000001', '.5,1.,0.0000001'],
  ])('%j → %j', (text, expected) => {
    expect(normalizeRetrySchedule(text, 'sched')).toBe(expected);
  });

  it('refuses what parseRetrySchedule refuses, with the same message', () => {
    expect(() => normalizeRetrySchedule('5,soon', 'sched')).toThrow('sched: "soon" is not a number of seconds from 0 to 86400');
  });
});

describe('parseSecretPrefix', () => {
  it.each<[string | undefined, string]>([
    [undefined, 'registry-webhooks'],
    ['', 'registry-webhooks'],
    ['   ', 'registry-webhooks'],
    ['acme-webhooks', 'acme-webhooks'],
    ['acme/hooks', 'acme/hooks'],
    ['a_b+c=d.e@f-g/H9', 'a_b+c=d.e@f-g/H9'],
  ])('%j → %j', (text, expected) => {
    expect(parseSecretPrefix(text, 'prefix')).toBe(expected);
  });

  it.each(['trailing/', '/leading', 'a//b', 'with space', ' acme', 'ümlaut', 'a*', 'a/b/'])('refuses %j', (text) => {
    expect(() => parseSecretPrefix(text, 'prefix')).toThrow(`prefix "${text}" must be Secrets Manager name characters`);
  });
});

describe.each([
  ['parseAttemptTimeoutMs', parseAttemptTimeoutMs, { min: 100, max: 25000, fallback: 15000 }],
  ['parseDeliveryRetentionDays', parseDeliveryRetentionDays, { min: 1, max: 3650, fallback: 30 }],
  ['parseSecretRotationOverlapSeconds', parseSecretRotationOverlapSeconds, { min: 0, max: 2_592_000, fallback: 86400 }],
  ['parseSecretCacheSeconds', parseSecretCacheSeconds, { min: 0, max: 300, fallback: 60 }],
] as const)('%s', (_fn, parse, { min, max, fallback }) => {
  it('absent → the default', () => {
    expect(parse(undefined, 'n')).toBe(fallback);
  });

  it.each([min, max, fallback])('accepts %d as a number and as text', (value) => {
    expect(parse(value, 'n')).toBe(value);
    expect(parse(String(value), 'n')).toBe(value);
  });

  it('text: spaces around the digits and leading zeros are fine', () => {
    expect(parse(` 0${max} `, 'n')).toBe(max);
  });

  it.each([min - 1, max + 1, 2.5, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses the number %d', (value) => {
    expect(() => parse(value, 'n')).toThrow(`n must be an integer between ${min} and ${max}, got ${value}`);
  });

  // Number() would accept most of these; an env var is digits or a mistake.
  it.each(['', ' ', 'abc', '1e3', '0x10', '+10', '10.0', '10 0', String(max + 1)])('refuses the text %j', (text) => {
    expect(() => parse(text, 'N')).toThrow(`N must be an integer between ${min} and ${max}, got ${JSON.stringify(text)}`);
  });
});

describe('settingsEnvironment', () => {
  it('writes each setting into its env var as text', () => {
    expect(settingsEnvironment({ secretPrefix: 'acme/hooks', retrySchedule: '0.5,2', attemptTimeoutMs: 25000, deliveryRetentionDays: 7, webhookDisableAfterSeconds: 60, secretRotationOverlapSeconds: 5 })).toEqual({
      SECRET_PREFIX: 'acme/hooks',
      RETRY_SCHEDULE: '0.5,2',
      ATTEMPT_TIMEOUT_MS: '25000',
      DELIVERY_RETENTION_DAYS: '7',
      WEBHOOK_DISABLE_AFTER_SECONDS: '60',
    });
  });

  it('signingEnvironment writes the rotation overlap (the api and deliver Lambdas only)', () => {
    expect(signingEnvironment({ secretRotationOverlapSeconds: 0 })).toEqual({ SECRET_ROTATION_OVERLAP_SECONDS: '0' });
  });
});
