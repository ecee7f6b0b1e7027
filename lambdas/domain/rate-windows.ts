/**
 * The arithmetic of per-second rate windows, shared by every RateLimiter adapter. Each window
 * (an epoch second) has a number of turns, evenly spaced over it; the `count`-th caller counted
 * in a window gets turn `count`. A turn is used only within its own slot ([turn start, next turn
 * start)): a caller that arrives after its slot has passed (late in the second) is sent to a
 * later window, like one over the limit.
 *
 * A window holds {@link TURN_SHARE} of the limit (rounded up), not all of it: an attempt
 * reaches the receiver some time after its turn (connecting, a busy process, the network), and
 * that delay varies. With turns spaced a quarter wider than the limit needs, the delay can vary
 * by about a quarter of a second before the receiver sees more than `limit` starts in one of its
 * seconds (half a second before it sees more than `limit + 1`). "At most `rateLimit` attempts a
 * second" then holds where the receiver counts, at the price of using 80% of it.
 */
import type { RateDecision } from './ports';

/** The share of the limit a window hands out as turns. */
export const TURN_SHARE = 0.8;

/** Turns of a window under `limit` a second. */
export function turnsPerWindow(limit: number): number {
  return Math.max(1, Math.ceil(limit * TURN_SHARE));
}

/** Returning callers are spread over the first part of their window, so they do not all come at its first millisecond. */
const RETURN_SPREAD_MS = 400;

/** The window (epoch second) `at` falls in. */
export function windowOf(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

/** What the `count`-th caller counted in `window` at `now` gets under `limit` a second. */
export function decideRate(window: number, count: number, limit: number, now: Date, random: () => number = Math.random): RateDecision {
  const turns = turnsPerWindow(limit);
  const interval = 1000 / turns;
  const slotStart = window * 1000 + Math.floor((count - 1) * interval);
  if (count <= turns && now.getTime() < window * 1000 + Math.floor(count * interval)) return { granted: true, startAt: new Date(slotStart) };
  // The window its place in line reaches (at least the next one), early in it.
  const windowsAhead = Math.max(1, Math.ceil((count - turns) / turns));
  return { granted: false, retryAt: new Date((window + windowsAhead) * 1000 + Math.floor(random() * RETURN_SPREAD_MS)) };
}
