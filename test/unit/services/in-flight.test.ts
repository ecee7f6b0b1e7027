/**
 * The in-flight bound (lambdas/domain/services/in-flight.ts) and how the worker uses it: a
 * process's share per webhook, the slow mark an attempt in flight sets, the leases shared by
 * every process while a webhook is marked, and deferral (a message sent back, not an attempt).
 */
import { MemoryFlightStore } from '../../../lambdas/adapters/memory';
import { processDeliveryMessage, POSTPONE_AFTER_MS } from '../../../lambdas/domain/services/delivery-worker';
import {
  InFlightGuard,
  PROCESS_IN_FLIGHT_PER_WEBHOOK,
  SLOW_MARK_MS,
  SLOW_WEBHOOK_IN_FLIGHT,
  slowAfterMs,
  type FlightPass,
  type FlightRefusal,
} from '../../../lambdas/domain/services/in-flight';
import { inMemoryDeps, seedDelivery } from '../support/in-memory-deps';

const isPass = (place: FlightPass | FlightRefusal): place is FlightPass => 'release' in place;

/** A store that counts its writes of slow marks. */
class CountingFlightStore extends MemoryFlightStore {
  marks = 0;
  override async markSlow(team: string, webhookId: string, until: Date) {
    this.marks += 1;
    return super.markSlow(team, webhookId, until);
  }
}

/** Moves the fake clock of timers by `ms`, then lets the I/O-phase work they queued run. */
async function elapse(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
}

function guardOver(store: MemoryFlightStore, clock: { ms: number }, attemptTimeoutMs = 3000) {
  return new InFlightGuard(store, () => new Date(clock.ms), attemptTimeoutMs, 10_000, () => 0.5);
}

describe('InFlightGuard', () => {
  test(`a process runs at most ${PROCESS_IN_FLIGHT_PER_WEBHOOK} attempts to one webhook at once; the next is told to come back soon`, async () => {
    const clock = { ms: 1_000_000 };
    const guard = guardOver(new MemoryFlightStore(), clock);
    const passes = await Promise.all(Array.from({ length: PROCESS_IN_FLIGHT_PER_WEBHOOK }, () => guard.enter('acme', 'wh_1')));
    expect(passes.every(isPass)).toBe(true);
    const refused = await guard.enter('acme', 'wh_1');
    expect(refused).toEqual({ retryAt: new Date(clock.ms + 1000), slow: false });
    // Another webhook is not held back by this one.
    expect(isPass(await guard.enter('acme', 'wh_2'))).toBe(true);
    await (passes[0] as FlightPass).release();
    await (passes[0] as FlightPass).release(); // twice frees one place, not two
    expect(isPass(await guard.enter('acme', 'wh_1'))).toBe(true);
    expect(isPass(await guard.enter('acme', 'wh_1'))).toBe(false);
  });

  test('an attempt still in flight after the slow threshold marks the webhook slow; one that ended before does not', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const clock = { ms: 1_000_000 };
      const store = new MemoryFlightStore();
      const guard = guardOver(store, clock, 3000);
      expect(slowAfterMs(3000)).toBe(1000);
      expect(slowAfterMs(400)).toBe(200);
      const quick = await guard.enter('acme', 'wh_quick');
      const slow = await guard.enter('acme', 'wh_slow');
      if (!isPass(quick) || !isPass(slow)) throw new Error('refused');
      quick.sending();
      slow.sending();
      await elapse(999);
      await quick.release();
      expect(await store.slowUntil('acme', 'wh_slow', new Date(clock.ms))).toBeNull();
      await elapse(1);
      expect(await store.slowUntil('acme', 'wh_slow', new Date(clock.ms))).toEqual(new Date(clock.ms + SLOW_MARK_MS));
      await slow.release();
      await elapse(5000);
      expect(await store.slowUntil('acme', 'wh_quick', new Date(clock.ms))).toBeNull();
    } finally {
      jest.useRealTimers();
    }
  });

  test(`a webhook marked slow gets ${SLOW_WEBHOOK_IN_FLIGHT} attempts at once across every process; the rest come back after about an attempt timeout`, async () => {
    const clock = { ms: 1_000_000 };
    const store = new MemoryFlightStore();
    await store.markSlow('acme', 'wh_1', new Date(clock.ms + 60_000));
    const [one, two] = [guardOver(store, clock), guardOver(store, clock)];
    const places = [await one.enter('acme', 'wh_1'), await two.enter('acme', 'wh_1'), await one.enter('acme', 'wh_1'), await two.enter('acme', 'wh_1')];
    expect(places.map(isPass)).toEqual([true, true, false, false]);
    expect(places[2]).toEqual({ retryAt: new Date(clock.ms + 3000), slow: true });
    await (places[0] as FlightPass).release();
    expect(isPass(await two.enter('acme', 'wh_1'))).toBe(true);
    // Once the mark has run out (and the process has read it again), only the process's share applies.
    clock.ms += 61_000;
    expect(isPass(await one.enter('acme', 'wh_1'))).toBe(true);
  });

  test('a hung endpoint\'s many slow attempts write the mark only when it is past its half-life', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const clock = { ms: 1_000_000 };
      const store = new CountingFlightStore();
      const guard = guardOver(store, clock, 3000);
      const slowAttempt = async () => {
        const pass = await guard.enter('acme', 'wh_1');
        if (!isPass(pass)) throw new Error('refused');
        pass.sending();
        await elapse(1000);
        await pass.release();
      };
      await slowAttempt();
      await slowAttempt();
      expect(store.marks).toBe(1);
      clock.ms += SLOW_MARK_MS / 4;
      await slowAttempt();
      expect(store.marks).toBe(1);
      clock.ms += SLOW_MARK_MS / 2;
      await slowAttempt();
      expect(store.marks).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('the worker defers, never attempts, a message over the bound', () => {
  test('over the process share: the message goes back for later, no claim, no POST, nothing recorded', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps);
    const held = await Promise.all(Array.from({ length: PROCESS_IN_FLIGHT_PER_WEBHOOK }, () => deps.inFlight.enter('demo', 'wh_1')));
    const message = { team: 'demo', deliveryId: 'dlv_1', attempt: 1, notBefore: deps.clock.ms };

    expect(await processDeliveryMessage(deps, message)).toEqual({ kind: 'deferred', slow: false });
    expect(deps.sender.requests).toHaveLength(0);
    expect(deps.deliveries.claims).toHaveLength(0);
    expect(deps.deliveries.stored('dlv_1')).toMatchObject({ status: 'pending', attemptCount: 0, attempts: [] });
    expect(deps.queue.drain()).toEqual([{ ...message, notBefore: deps.clock.ms + 1000 }]);

    for (const place of held) if (isPass(place)) await place.release();
    expect((await processDeliveryMessage(deps, message)).kind).toBe('attempted');
    expect(deps.sender.requests).toHaveLength(1);
  });

  test('a retry deferred long past its due time gets its due time moved, so the sweeper does not take it for stranded', async () => {
    const deps = inMemoryDeps({ attemptTimeoutMs: 3000 });
    await seedDelivery(deps);
    deps.sender.script = [{ status: 503 }];
    await processDeliveryMessage(deps, { team: 'demo', deliveryId: 'dlv_1', attempt: 1, notBefore: deps.clock.ms });
    const retry = deps.queue.drain()[0];
    await deps.flights.markSlow('demo', 'wh_1', new Date(deps.clock.ms + SLOW_MARK_MS));
    const leases = await Promise.all(Array.from({ length: SLOW_WEBHOOK_IN_FLIGHT }, () => deps.flights.acquire('demo', 'wh_1', SLOW_WEBHOOK_IN_FLIGHT, deps.now(), new Date(deps.clock.ms + 3_600_000))));
    expect(leases.every((lease) => lease !== null)).toBe(true);

    // Due, and deferred soon after: nothing written.
    deps.clock.ms = retry.notBefore + 1000;
    expect(await processDeliveryMessage(deps, retry)).toEqual({ kind: 'deferred', slow: true });
    expect(deps.deliveries.stored('dlv_1').nextAttemptAt).toBe(new Date(retry.notBefore).toISOString());
    // Deferred again long past due: its due time moves to when it comes back.
    deps.clock.ms = retry.notBefore + POSTPONE_AFTER_MS + 1;
    deps.queue.drain();
    expect(await processDeliveryMessage(deps, retry)).toEqual({ kind: 'deferred', slow: true });
    const back = deps.queue.drain()[0];
    expect(back.notBefore).toBe(deps.clock.ms + 3000);
    expect(deps.deliveries.stored('dlv_1')).toMatchObject({ status: 'retrying', attemptCount: 1, nextAttemptAt: new Date(back.notBefore).toISOString() });
    expect(await deps.deliveries.findDue(new Date(deps.clock.ms), 10)).toEqual([]);
  });
});
