/**
 * The sweeper (lambdas/domain/services/sweeper.ts): unfinished deliveries due before the
 * cut-off are enqueued again for their own due time and next attempt number; finished ones
 * and ones not yet due are left alone; a far-future cut-off (local mode's startup sweep of
 * everything unfinished) still finds them.
 */
import { LATEST_ISO_DATE_MS, sweepDueDeliveries } from '../../lambdas/domain/services/sweeper';
import { inMemoryDeps, seedDelivery } from './support/in-memory-deps';

async function setUp() {
  const deps = inMemoryDeps();
  const t0 = deps.clock.ms;
  const iso = (offsetMs: number) => new Date(t0 + offsetMs).toISOString();
  await seedDelivery(deps, 'dlv_pending', { nextAttemptAt: iso(0) });
  await seedDelivery(deps, 'dlv_retrying', { status: 'retrying', attemptCount: 2, roundAttempts: 2, nextAttemptAt: iso(3_600_000) });
  await seedDelivery(deps, 'dlv_far', { status: 'retrying', attemptCount: 6, roundAttempts: 6, nextAttemptAt: iso(36_000_000) });
  await seedDelivery(deps, 'dlv_done', { status: 'succeeded', attemptCount: 1, nextAttemptAt: null });
  await seedDelivery(deps, 'dlv_failed', { status: 'failed', attemptCount: 8, nextAttemptAt: null });
  return { deps, t0 };
}

test('enqueues overdue unfinished deliveries for their next attempt at their due time', async () => {
  const { deps, t0 } = await setUp();
  expect(await sweepDueDeliveries(deps, new Date(t0 + 3_600_000))).toBe(2);
  expect(deps.queue.sent).toEqual([
    { deliveryId: 'dlv_pending', attempt: 1, notBefore: t0 },
    { deliveryId: 'dlv_retrying', attempt: 3, notBefore: t0 + 3_600_000 },
  ]);
});

test.each([
  ['the latest ISO date', new Date(LATEST_ISO_DATE_MS)],
  ['a date past year 9999 (clamped)', new Date(8.64e15)],
])('a cut-off at %s finds every unfinished delivery', async (_what, cutOff) => {
  const { deps } = await setUp();
  expect(await sweepDueDeliveries(deps, cutOff, 100_000)).toBe(3);
  expect(deps.queue.sent.map((m) => m.deliveryId).sort()).toEqual(['dlv_far', 'dlv_pending', 'dlv_retrying']);
});

test('sends in batches of at most 10 and respects the limit', async () => {
  const deps = inMemoryDeps();
  for (let i = 0; i < 25; i++) await seedDelivery(deps, `dlv_${String(i).padStart(2, '0')}`);
  const sends: number[] = [];
  const send = deps.queue.send.bind(deps.queue);
  deps.queue.send = async (messages) => {
    sends.push(messages.length);
    await send(messages);
  };
  expect(await sweepDueDeliveries(deps, new Date(deps.clock.ms), 23)).toBe(23);
  expect(sends).toEqual([10, 10, 3]);
});
