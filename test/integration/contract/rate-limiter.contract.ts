/** The RateLimiter contract (lambdas/domain/ports.ts): `limit` a second, shared, and a place in line for the rest. */
import type { RateLimiter } from '../../../lambdas/domain/ports';

const second = (n: number, ms = 0) => new Date(Date.UTC(2025, 5, 1, 12, 0, n, ms));

/** Defines the contract's tests; `limiter()` is a fresh limiter of the engine under test. */
export function rateLimiterContract(limiter: () => RateLimiter): void {
  test('grants the window\'s turns (80% of the limit), even to concurrent workers; refuses the rest with later turns by place', async () => {
    const limits = limiter();
    const decisions = await Promise.all(Array.from({ length: 12 }, (_, index) => limits.take('acme', 'wh_1', 5, second(0, index * 10))));
    const granted = decisions.flatMap((decision) => (decision.granted ? [decision.startAt.getTime() - second(0).getTime()] : []));
    // 80% of the limit, spread evenly over the second: 0, 250, 500, 750 ms.
    expect(granted.sort((a, b) => a - b)).toEqual([0, 250, 500, 750]);
    const turns = decisions.flatMap((decision) => (decision.granted ? [] : [Math.floor(decision.retryAt.getTime() / 1000) - Math.floor(second(0).getTime() / 1000)]));
    // Places 5-8 come back a second later, 9-12 two seconds later.
    expect(turns.sort()).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
  });

  test('each second, webhook and team counts on its own', async () => {
    const limits = limiter();
    expect(await limits.take('acme', 'wh_1', 1, second(0))).toEqual({ granted: true, startAt: second(0) });
    expect((await limits.take('acme', 'wh_1', 1, second(0, 500))).granted).toBe(false);
    expect(await limits.take('acme', 'wh_1', 1, second(1))).toEqual({ granted: true, startAt: second(1) });
    expect(await limits.take('acme', 'wh_2', 1, second(0))).toEqual({ granted: true, startAt: second(0) });
    expect(await limits.take('other', 'wh_1', 1, second(0))).toEqual({ granted: true, startAt: second(0) });
  });
}
