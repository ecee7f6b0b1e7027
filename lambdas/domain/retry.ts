/**
 * When to try a failed delivery again: a fixed schedule with jitter (so receivers that come
 * back up are not hit by every queued delivery at once), lengthened by a receiver's
 * Retry-After within bounds. The schedule itself is a setting: see `settings.ts`.
 */

/** The longest wait a receiver's Retry-After may impose (12 hours). */
export const MAX_RETRY_AFTER_SECONDS = 43200;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
// The three HTTP-date forms (RFC 9110 §5.6.7). Matched explicitly rather than with Date.parse,
// which accepts nearly anything ("1.5" is a date to V8) and reads asctime as local time.
const IMF_FIXDATE = /^[a-z]{3}, (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/i;
const RFC850_DATE = /^[a-z]{6,9}, (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/i;
const ASCTIME_DATE = /^[a-z]{3} ([a-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/i;

/** Epoch milliseconds of a UTC date, or null when a field is out of range (e.g. 31 Feb). */
function utc(year: number, monthName: string, day: number, h: number, m: number, s: number): number | null {
  const month = MONTHS.indexOf(monthName.toLowerCase());
  if (month === -1 || h > 23 || m > 59 || s > 60) return null;
  const ms = Date.UTC(year, month, day, h, m, Math.min(s, 59));
  return new Date(ms).getUTCDate() === day ? ms : null;
}

/** Parses an HTTP-date to epoch milliseconds, or null. */
function parseHttpDate(text: string, nowMs: number): number | null {
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(+m[3], m[2], +m[1], +m[4], +m[5], +m[6]);
  m = RFC850_DATE.exec(text);
  if (m) {
    // Two-digit year: the latest century that does not put it more than 50 years ahead.
    const nowYear = new Date(nowMs).getUTCFullYear();
    let year = Math.floor(nowYear / 100) * 100 + Number(m[3]);
    if (year > nowYear + 50) year -= 100;
    return utc(year, m[2], +m[1], +m[4], +m[5], +m[6]);
  }
  m = ASCTIME_DATE.exec(text);
  if (m) return utc(+m[6], m[1], Number(m[2].trim()), +m[3], +m[4], +m[5]);
  return null;
}

/**
 * Reads a Retry-After header (delta-seconds or HTTP-date) as seconds from `nowMs`, at least 0.
 * Anything unparsable → null (the header is a hint; garbage is ignored, not an error).
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | null {
  if (typeof header !== 'string' || header.length > 64) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isFinite(seconds) ? seconds : null;
  }
  const at = parseHttpDate(text, nowMs);
  if (at === null) return null;
  // Whole seconds, rounded up, so a retry never lands before the time the receiver named.
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/**
 * Seconds to wait before the next attempt, or null when the round's schedule is spent.
 * `attemptsInRound` counts the attempts made so far in this round, the failed one included.
 * The step gets ±10% jitter; a Retry-After can lengthen the wait (up to
 * {@link MAX_RETRY_AFTER_SECONDS}) but never shorten it below the jittered step.
 */
export function nextRetryDelaySeconds(input: {
  schedule: readonly number[];
  attemptsInRound: number;
  retryAfterSeconds: number | null;
  random: () => number;
}): number | null {
  const { schedule, attemptsInRound, retryAfterSeconds } = input;
  if (attemptsInRound > schedule.length) return null;
  // A caller passing 0 or NaN has a bug, but stopping deliveries would be worse: use step 1.
  const index = attemptsInRound >= 1 ? Math.floor(attemptsInRound) - 1 : 0;
  const step = schedule[index];
  if (step === undefined) return null; // empty schedule: no retries at all
  const raw = input.random();
  const r = raw >= 0 ? Math.min(raw, 1) : 0; // tolerate a random() outside [0, 1), even NaN
  const jittered = step * (0.9 + 0.2 * r);
  if (retryAfterSeconds === null || !(retryAfterSeconds >= 0)) return jittered;
  return Math.max(jittered, Math.min(retryAfterSeconds, MAX_RETRY_AFTER_SECONDS));
}
