/** The rate windows' arithmetic (lambdas/domain/rate-windows.ts): turns, slots and places in line. */
import { decideRate, turnsPerWindow } from '../../lambdas/domain/rate-windows';

const W = 1_750_000_000; // an epoch second
const at = (ms: number) => new Date(W * 1000 + ms);
const half = () => 0.5;

test.each([
  // Limit 5: 4 turns a window (80%), 250 ms apart.
  ['the first caller, at the start', 1, 0, { granted: true, startAt: at(0) }],
  ['the third caller, before its slot: waits for it', 3, 100, { granted: true, startAt: at(500) }],
  ['the third caller, inside its slot', 3, 600, { granted: true, startAt: at(500) }],
  ['the third caller, after its slot: the next window', 3, 760, { granted: false, retryAt: at(1200) }],
  ['the fifth caller: the next window', 5, 10, { granted: false, retryAt: at(1200) }],
  ['the tenth caller: two windows on', 10, 10, { granted: false, retryAt: at(2200) }],
])('limit 5: %s', (_what, count, ms, expected) => {
  expect(decideRate(W, count, 5, at(ms), half)).toEqual(expected);
});

test.each([[1, 1], [2, 2], [3, 3], [5, 4], [10, 8], [10000, 8000]])('limit %i hands out %i turns a window', (limit, turns) => {
  expect(turnsPerWindow(limit)).toBe(turns);
});

test('every granted start lies in its own slot: no second of the receiver holds more than limit + 1, with up to 200 ms of varying delay', () => {
  for (const limit of [1, 3, 5, 7, 100]) {
    const starts: number[] = [];
    // Callers arriving at every millisecond of three windows, counted per window.
    for (let window = W; window < W + 3; window++) {
      let count = 0;
      for (let ms = 0; ms < 1000; ms += 7) {
        const decision = decideRate(window, ++count, limit, new Date(window * 1000 + ms), half);
        // The attempt reaches the receiver 0-200 ms after its start, varying from one to the next.
        if (decision.granted) starts.push(Math.max(decision.startAt.getTime(), window * 1000 + ms) + ((ms * 7919) % 201));
      }
    }
    starts.sort((a, b) => a - b);
    for (let i = 0; i < starts.length; i++) {
      const inSecond = starts.filter((start) => start >= starts[i] && start < starts[i] + 1000).length;
      expect(inSecond).toBeLessThanOrEqual(limit + 1);
    }
  }
});
