import fc from 'fast-check';
import { MAX_RETRY_AFTER_SECONDS, nextRetryDelaySeconds, parseRetryAfter } from '../../lambdas/domain/retry';
import { DEFAULT_RETRY_SCHEDULE } from '../../lambdas/domain/settings';

// parseRetrySchedule (a setting, shared with the stack): settings.test.ts.

describe('parseRetryAfter', () => {
  const now = Date.UTC(2024, 0, 15, 12, 0, 0); // Mon, 15 Jan 2024 12:00:00 GMT

  it.each<[string, string | null | undefined, number | null]>([
    ['delta seconds', '120', 120],
    ['zero', '0', 0],
    ['spaces', '  30  ', 30],
    ['IMF-fixdate', 'Mon, 15 Jan 2024 12:01:30 GMT', 90],
    ['IMF-fixdate lower case', 'mon, 15 jan 2024 12:01:30 gmt', 90],
    ['IMF-fixdate in the past', 'Mon, 15 Jan 2024 11:00:00 GMT', 0],
    ['IMF-fixdate rounds up', 'Mon, 15 Jan 2024 12:00:00 GMT', 0],
    ['RFC 850 date', 'Monday, 15-Jan-24 12:10:00 GMT', 600],
    ['asctime date', 'Mon Jan 15 13:00:00 2024', 3600],
    ['asctime single-digit day', 'Tue Jan  2 12:00:00 2024', 0],
    ['null', null, null],
    ['undefined', undefined, null],
    ['empty', '', null],
    ['negative', '-5', null],
    ['decimal', '1.5', null],
    ['word', 'soon', null],
    ['date without GMT', 'Mon, 15 Jan 2024 12:01:30', null],
    ['impossible date', 'Thu, 31 Feb 2024 12:00:00 GMT', null],
    ['bad month', 'Mon, 15 Foo 2024 12:00:00 GMT', null],
    ['bad hour', 'Mon, 15 Jan 2024 25:00:00 GMT', null],
    ['absurdly long', '9'.repeat(400), null],
  ])('%s', (_name, header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });

  it('reads a future asctime date with a single-digit day', () => {
    expect(parseRetryAfter('Fri Feb  2 12:00:00 2024', now)).toBe(18 * 86400);
  });

  it('never throws and returns null or a non-negative number', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 4_102_444_800_000 }), (header, nowMs) => {
        const result = parseRetryAfter(header, nowMs);
        expect(result === null || result >= 0).toBe(true);
      }),
    );
  });
});

describe('nextRetryDelaySeconds', () => {
  const schedule = [10, 100, 1000];

  it.each<[string, number, number | null, number, number | null]>([
    // name, attemptsInRound, retryAfterSeconds, random, expected
    ['first retry, random 0 (-10%)', 1, null, 0, 9],
    ['first retry, random 0.5 (no jitter)', 1, null, 0.5, 10],
    ['first retry, random 0.999 (+~10%)', 1, null, 0.999, 10.998],
    ['second step', 2, null, 0.5, 100],
    ['last step', 3, null, 0, 900],
    ['schedule spent', 4, null, 0.5, null],
    ['long spent', 50, null, 0.5, null],
    ['retry-after longer than step', 1, 60, 0.5, 60],
    ['retry-after shorter than step is ignored', 3, 60, 0.5, 1000],
    ['retry-after capped', 1, 999_999, 0.5, MAX_RETRY_AFTER_SECONDS],
    ['retry-after zero', 1, 0, 0, 9],
    ['retry-after negative ignored', 1, -100, 0.5, 10],
    ['retry-after does not revive a spent schedule', 4, 60, 0.5, null],
    ['random outside [0,1) is clamped', 1, null, 5, 11],
    ['attempts 0 treated as the first', 0, null, 0.5, 10],
  ])('%s', (_name, attemptsInRound, retryAfterSeconds, random, expected) => {
    const result = nextRetryDelaySeconds({ schedule, attemptsInRound, retryAfterSeconds, random: () => random });
    if (expected === null) expect(result).toBeNull();
    else expect(result).toBeCloseTo(expected, 6);
  });

  it('follows the default schedule for seven retries, then stops', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((attemptsInRound) =>
      nextRetryDelaySeconds({ schedule: DEFAULT_RETRY_SCHEDULE, attemptsInRound, retryAfterSeconds: null, random: () => 0.5 }),
    );
    expect(delays).toEqual([...DEFAULT_RETRY_SCHEDULE, null]);
  });

  it('returns null for an empty schedule', () => {
    expect(nextRetryDelaySeconds({ schedule: [], attemptsInRound: 1, retryAfterSeconds: 10, random: () => 0.5 })).toBeNull();
  });

  it('always lies within [0.9×step, max(1.1×step, MAX_RETRY_AFTER)] or is null when spent', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 86400, noNaN: true }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 25 }),
        fc.option(fc.double({ min: 0, max: 1e9, noNaN: true })),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (steps, attemptsInRound, retryAfterSeconds, random) => {
          const result = nextRetryDelaySeconds({ schedule: steps, attemptsInRound, retryAfterSeconds, random: () => random });
          if (attemptsInRound > steps.length) {
            expect(result).toBeNull();
            return;
          }
          const step = steps[attemptsInRound - 1]!;
          expect(result).not.toBeNull();
          expect(result!).toBeGreaterThanOrEqual(0.9 * step);
          expect(result!).toBeLessThanOrEqual(Math.max(1.1 * step, MAX_RETRY_AFTER_SECONDS));
        },
      ),
    );
  });
});
