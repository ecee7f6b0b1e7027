/**
 * The arithmetic of per-second rate windows, shared by every RateLimiter adapter. Each window
 * (an epoch second) has `limit` turns, evenly spaced `1000 / limit` ms apart; the `count`-th
 * caller counted in a window gets turn `count`. A turn is used only within its own slot
 * ([turn start, next turn start)): a caller that arrives after its slot has passed (late in the
 * second) is sent to a later window, like one over the limit. So every attempt starts in its
 * own slot, and any second — of our clock or, up to the network's jitter, the receiver's — sees
 * at most `limit` starts, plus one at its edge.
 */
import type { RateDecision } from './ports';

/** Returning callers are spread over the first part of their window, so they do not all come at its first millisecond. */
const RETURN_SPREAD_MS = 400;

/** The window (epoch second) `at` falls in. */
export function windowOf(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

/** What the `count`-th caller counted in `window` at `now` gets under `limit` a second. */
export function decideRate(window: number, count: number, limit: number, now: Date, random: () => number = Math.random): RateDecision {
  const interval = 1000 / limit;
  const slotStart = window * 1000 + Math.floor((count - 1) * interval);
  if (count <= limit && now.getTime() < window * 1000 + Math.floor(count * interval)) return { granted: true, startAt: new Date(slotStart) };
  // The window its place in line reaches (at least the next one), early in it.
  const windowsAhead = Math.max(1, Math.ceil((count - limit) / limit));
  return { granted: false, retryAt: new Date((window + windowsAhead) * 1000 + Math.floor(random() * RETURN_SPREAD_MS)) };
}
