/** Per-second counters in a Map (the RateLimiter port's rules), for tests and benchmarks. */
import type { RateDecision, RateLimiter } from '../../domain/ports';
import { decideRate, windowOf } from '../../domain/rate-windows';

/** In-memory RateLimiter. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly counts = new Map<string, number>();

  async take(team: string, webhookId: string, limit: number, now: Date): Promise<RateDecision> {
    const window = windowOf(now);
    const key = `${team}\u0000${webhookId}\u0000${window}`;
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return decideRate(window, count, limit, now);
  }
}
