/**
 * The sweeper (lambdas/domain/services/sweeper.ts): deliveries waiting for a retry or a
 * redelivery that are due before the cut-off are enqueued again for their own due time and
 * next attempt number; new deliveries (their message was sent before the event was accepted),
 * finished ones and ones not yet due are left alone. How the store finds them (the due index,
 * far-future cut-offs) is the contract suite's part (test/integration/contract/).
 */
import { sweepDueDeliveries } from '../../lambdas/domain/services/sweeper';
import type { Delivery } from '../../lambdas/domain/types';
import { inMemoryDeps, seedDelivery, type InMemoryDeps } from './support/in-memory-deps';

/** A delivery that has made `attemptCount` attempts and is now in `state`, as the worker leaves it. */
async function seedProgressed(deps: InMemoryDeps, id: string, state: Partial<Delivery>): Promise<void> {
  const created = await seedDelivery(deps, id);
  expect(await deps.deliveries.saveAttemptResult({ ...created, ...state }, 0)).toBe(true);
}

async function setUp() {
  const deps = inMemoryDeps();
  const t0 = deps.clock.ms;
  const iso = (offsetMs: number) => new Date(t0 + offsetMs).toISOString();
  await seedDelivery(deps, 'dlv_new', { nextAttemptAt: iso(0) });
  await seedProgressed(deps, 'dlv_retrying', { status: 'retrying', attemptCount: 2, roundAttempts: 2, nextAttemptAt: iso(3_600_000) });
  await seedProgressed(deps, 'dlv_far', { status: 'retrying', attemptCount: 6, roundAttempts: 6, nextAttemptAt: iso(36_000_000) });
  await seedProgressed(deps, 'dlv_redelivered', { status: 'pending', attemptCount: 3, roundAttempts: 0, nextAttemptAt: iso(1000) });
  await seedProgressed(deps, 'dlv_done', { status: 'succeeded', attemptCount: 1, nextAttemptAt: null });
  await seedProgressed(deps, 'dlv_failed', { status: 'failed', attemptCount: 8, nextAttemptAt: null });
  return { deps, t0 };
}

test('enqueues overdue waiting deliveries for their next attempt at their due time', async () => {
  const { deps, t0 } = await setUp();
  expect(await sweepDueDeliveries(deps, new Date(t0 + 3_600_000))).toBe(2);
  expect(deps.queue.sent).toEqual([
    { team: 'demo', deliveryId: 'dlv_redelivered', attempt: 4, notBefore: t0 + 1000 },
    { team: 'demo', deliveryId: 'dlv_retrying', attempt: 3, notBefore: t0 + 3_600_000 },
  ]);
});

test('leaves new deliveries alone: their first message is already queued', async () => {
  const { deps, t0 } = await setUp();
  await sweepDueDeliveries(deps, new Date(t0 + 86_400_000));
  expect(deps.queue.sent.map((message) => message.deliveryId)).not.toContain('dlv_new');
  expect(deps.queue.sent.map((message) => message.deliveryId).sort()).toEqual(['dlv_far', 'dlv_redelivered', 'dlv_retrying']);
});

test('respects the limit, earliest due first', async () => {
  const deps = inMemoryDeps();
  for (let i = 0; i < 25; i++) {
    await seedProgressed(deps, `dlv_${String(i).padStart(2, '0')}`, { status: 'retrying', attemptCount: 1, nextAttemptAt: new Date(deps.clock.ms - i * 1000).toISOString() });
  }
  expect(await sweepDueDeliveries(deps, new Date(deps.clock.ms), 23)).toBe(23);
  expect(deps.queue.sent.map((message) => message.deliveryId)).toEqual(Array.from({ length: 23 }, (_, i) => `dlv_${String(24 - i).padStart(2, '0')}`));
});
