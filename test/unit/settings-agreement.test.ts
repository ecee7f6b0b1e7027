/**
 * The stack (lib/config.ts resolveSettings, props) and the Lambdas (lambdas/domain/config.ts
 * loadRuntimeConfig, env vars) must accept and refuse the same values of every setting they
 * share: a value synth accepts but the Lambdas refuse breaks every cold start of a deployed
 * stack. Each table row runs through both entry points, so a disagreement fails here.
 */
import { DEFAULTS, resolveSettings, type RegistryWebhooksStackProps } from '../../lib/config';
import { loadRuntimeConfig } from '../../lambdas/domain/config';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule, settingsEnvironment, signingEnvironment } from '../../lambdas/domain/settings';

const stack = (props: RegistryWebhooksStackProps) => resolveSettings(props);
const runtime = (env: Record<string, string>) => loadRuntimeConfig(env);
/** What a deployed Lambda that signs (api, deliver) reads: the env the stack writes for these props (lib/functions.ts). */
const deployed = (props: RegistryWebhooksStackProps) => {
  const settings = resolveSettings(props);
  return loadRuntimeConfig({ ...settingsEnvironment(settings), ...signingEnvironment(settings) });
};

describe('retry schedule: retrySchedule / RETRY_SCHEDULE', () => {
  it.each<[string, number[]]>([
    ['', [...DEFAULT_RETRY_SCHEDULE]],
    ['5,300,1800', [5, 300, 1800]],
    // Sub-second steps, as the local-mode integration tests use them.
    ['0.2,0.5', [0.2, 0.5]],
    ['0.5', [0.5]],
    ['.5,1.', [0.5, 1]],
    [' 1 , 2 ,3 ', [1, 2, 3]],
    ['0,86400', [0, 86400]],
    [Array(20).fill('600').join(','), Array(20).fill(600) as number[]],
  ])('both accept %j', (text, seconds) => {
    expect(parseRetrySchedule(stack({ retrySchedule: text }).retrySchedule, 'x')).toEqual(seconds);
    expect(runtime({ RETRY_SCHEDULE: text }).retrySchedule).toEqual(seconds);
    expect(deployed({ retrySchedule: text }).retrySchedule).toEqual(seconds);
  });

  it.each([
    '5,soon',
    '5,-1',
    '86401',
    '86400.5',
    '5,,10',
    '5,10,',
    '1 0',
    '1e3',
    '0x10',
    'Infinity',
    '1;2',
    Array(21).fill('1').join(','),
  ])('both refuse %j, each naming its own setting', (text) => {
    expect(() => stack({ retrySchedule: text })).toThrow(/^retrySchedule: /);
    expect(() => runtime({ RETRY_SCHEDULE: text })).toThrow(/^RETRY_SCHEDULE: /);
  });
});

describe('attempt timeout: attemptTimeoutMs / ATTEMPT_TIMEOUT_MS', () => {
  it.each([100, 1000, 15000, 25000])('both accept %d', (ms) => {
    expect(stack({ attemptTimeoutMs: ms }).attemptTimeoutMs).toBe(ms);
    expect(runtime({ ATTEMPT_TIMEOUT_MS: String(ms) }).attemptTimeoutMs).toBe(ms);
    expect(deployed({ attemptTimeoutMs: ms }).attemptTimeoutMs).toBe(ms);
  });

  // 25001–30000 was accepted by the runtime alone; the api Lambda's 29 s needs the stack's cap.
  it.each([0, 99, 25001, 30000, 60000, 1.5, -100, Number.NaN])('both refuse %d, each naming its own setting', (ms) => {
    expect(() => stack({ attemptTimeoutMs: ms })).toThrow('attemptTimeoutMs must be an integer between 100 and 25000');
    expect(() => runtime({ ATTEMPT_TIMEOUT_MS: String(ms) })).toThrow('ATTEMPT_TIMEOUT_MS must be an integer between 100 and 25000');
  });
});

describe('retention: deliveryRetentionDays / DELIVERY_RETENTION_DAYS', () => {
  it.each([1, 7, 30, 3650])('both accept %d', (days) => {
    expect(stack({ deliveryRetentionDays: days }).deliveryRetentionDays).toBe(days);
    expect(runtime({ DELIVERY_RETENTION_DAYS: String(days) }).retentionDays).toBe(days);
    expect(deployed({ deliveryRetentionDays: days }).retentionDays).toBe(days);
  });

  it.each([0, 3651, 2.5, -1, Number.NaN])('both refuse %d, each naming its own setting', (days) => {
    expect(() => stack({ deliveryRetentionDays: days })).toThrow('deliveryRetentionDays must be an integer between 1 and 3650');
    expect(() => runtime({ DELIVERY_RETENTION_DAYS: String(days) })).toThrow('DELIVERY_RETENTION_DAYS must be an integer between 1 and 3650');
  });
});

describe('secret prefix: secretPrefix / SECRET_PREFIX', () => {
  it.each<[string, string]>([
    ['', DEFAULTS.secretPrefix],
    ['acme-webhooks', 'acme-webhooks'],
    ['acme/hooks', 'acme/hooks'],
    ['a_b+c=d.e@f-g/H9', 'a_b+c=d.e@f-g/H9'],
  ])('both accept %j', (text, prefix) => {
    expect(stack({ secretPrefix: text }).secretPrefix).toBe(prefix);
    expect(runtime({ SECRET_PREFIX: text }).secretPrefix).toBe(prefix);
    expect(deployed({ secretPrefix: text }).secretPrefix).toBe(prefix);
  });

  // The runtime used to take any of these and build secret names outside the stack's grants.
  it.each(['trailing/', '/leading', 'a//b', 'with space', ' acme', 'ümlaut', 'a*'])('both refuse %j, each naming its own setting', (text) => {
    expect(() => stack({ secretPrefix: text })).toThrow(`secretPrefix "${text}" must be`);
    expect(() => runtime({ SECRET_PREFIX: text })).toThrow(`SECRET_PREFIX "${text}" must be`);
  });
});

describe('rotation overlap: secretRotationOverlapSeconds / SECRET_ROTATION_OVERLAP_SECONDS', () => {
  it.each([0, 1, 8, 86400, 2_592_000])('both accept %d', (seconds) => {
    expect(stack({ secretRotationOverlapSeconds: seconds }).secretRotationOverlapSeconds).toBe(seconds);
    expect(runtime({ SECRET_ROTATION_OVERLAP_SECONDS: String(seconds) }).secretRotationOverlapSeconds).toBe(seconds);
    expect(deployed({ secretRotationOverlapSeconds: seconds }).secretRotationOverlapSeconds).toBe(seconds);
  });

  it.each([-1, 2_592_001, 1.5, Number.NaN])('both refuse %d, each naming its own setting', (seconds) => {
    expect(() => stack({ secretRotationOverlapSeconds: seconds })).toThrow(/^secretRotationOverlapSeconds must be an integer between 0 and 2592000/);
    expect(() => runtime({ SECRET_ROTATION_OVERLAP_SECONDS: String(seconds) })).toThrow(/^SECRET_ROTATION_OVERLAP_SECONDS must be an integer between 0 and 2592000/);
  });

  it('the runtime refuses what is not plain digits; the secret cache time has its own bounds', () => {
    for (const text of ['1e3', '0x10', '-0', '1 day']) expect(() => runtime({ SECRET_ROTATION_OVERLAP_SECONDS: text })).toThrow(/SECRET_ROTATION_OVERLAP_SECONDS/);
    expect(runtime({}).secretCacheSeconds).toBe(60);
    expect(runtime({ SECRET_CACHE_SECONDS: '0' }).secretCacheSeconds).toBe(0);
    expect(() => runtime({ SECRET_CACHE_SECONDS: '301' })).toThrow(/^SECRET_CACHE_SECONDS must be an integer between 0 and 300/);
  });
});

describe('what the stack writes, the Lambdas read back unchanged', () => {
  it.each<RegistryWebhooksStackProps>([
    {},
    { secretPrefix: 'acme/hooks', retrySchedule: ' 0.2, .5 ,1.', attemptTimeoutMs: 25000, deliveryRetentionDays: 1 },
    { secretPrefix: 'a', retrySchedule: '86400,0', attemptTimeoutMs: 100, deliveryRetentionDays: 3650 },
    { retrySchedule: Array(20).fill('0.25').join(' , '), attemptTimeoutMs: 5000, deliveryRetentionDays: 7, secretRotationOverlapSeconds: 3600 },
  ])('%j', (props) => {
    const settings = resolveSettings(props);
    expect(deployed(props)).toMatchObject({
      secretPrefix: settings.secretPrefix,
      retrySchedule: parseRetrySchedule(props.retrySchedule, 'x'),
      attemptTimeoutMs: settings.attemptTimeoutMs,
      retentionDays: settings.deliveryRetentionDays,
      secretRotationOverlapSeconds: settings.secretRotationOverlapSeconds,
    });
  });

  it('both default to the same values', () => {
    expect(runtime({})).toMatchObject({
      secretPrefix: DEFAULTS.secretPrefix,
      retrySchedule: parseRetrySchedule(DEFAULTS.retrySchedule, 'x'),
      attemptTimeoutMs: DEFAULTS.attemptTimeoutMs,
      retentionDays: DEFAULTS.deliveryRetentionDays,
      secretRotationOverlapSeconds: DEFAULTS.secretRotationOverlapSeconds,
    });
    expect(deployed({})).toEqual(runtime({}));
  });
});
