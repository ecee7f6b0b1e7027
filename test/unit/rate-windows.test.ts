/** The rate windows' arithmetic (lambdas/domain/rate-windows.ts): turns, slots and places in line. */
import { decideRate } from '../../lambdas/domain/rate-windows';

const W = 1_750_000_000; // an epoch second
const at = (ms: number) => new Date(W * 1000 + ms);
const half = () => 0.5;

test.each([
  ['the first caller, at the start', 1, 0, { granted: true, startAt: at(0) }],
  ['the third caller, before its slot: waits for it', 3, 100, { granted: true, startAt: at(400) }],
  ['the third caller, inside its slot', 3, 450, { granted: true, startAt: at(400) }],
  ['the third caller, after its slot: the next window', 3, 650, { granted: false, retryAt: at(1200) }],
  ['the sixth caller: the next window', 6, 10, { granted: false, retryAt: at(1200) }],
  ['the eleventh caller: two windows on', 11, 10, { granted: false, retryAt: at(2200) }],
])('limit 5: %s', (_what, count, ms, expected) => {
  expect(decideRate(W, count, 5, at(ms), half)).toEqual(expected);
});

test('every granted start lies in its own slot: no second holds more than limit + 1 starts', () => {
  for (const limit of [1, 3, 5, 7, 100]) {
    const starts: number[] = [];
    // Callers arriving at every millisecond of three windows, counted per window.
    for (let window = W; window < W + 3; window++) {
      let count = 0;
      for (let ms = 0; ms < 1000; ms += 7) {
        const decision = decideRate(window, ++count, limit, new Date(window * 1000 + ms), half);
        if (decision.granted) starts.push(Math.max(decision.startAt.getTime(), window * 1000 + ms));
      }
    }
    starts.sort((a, b) => a - b);
    for (let i = 0; i < starts.length; i++) {
      const inSecond = starts.filter((start) => start >= starts[i] && start < starts[i] + 1000).length;
      expect(inSecond).toBeLessThanOrEqual(limit + 1);
    }
  }
});
