/**
 * The FlightStore contract (lambdas/domain/ports.ts): a slow mark that runs out, and at most
 * `cap` live leases per webhook, freed by release or by running out, shared by every worker.
 */
import type { FlightStore } from '../../../lambdas/domain/ports';

const T0 = Date.parse('2025-06-01T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0 + offsetMs);

/** Defines the contract's tests; `flights()` is a fresh store of the engine under test. */
export function flightStoreContract(flights: () => FlightStore): void {
  test('a slow mark holds until its time, a later mark replaces it, and each webhook and team has its own', async () => {
    const store = flights();
    expect(await store.slowUntil('acme', 'wh_1', at(0))).toBeNull();
    await store.markSlow('acme', 'wh_1', at(60_000));
    expect(await store.slowUntil('acme', 'wh_1', at(0))).toEqual(at(60_000));
    expect(await store.slowUntil('acme', 'wh_1', at(60_000))).toBeNull();
    await store.markSlow('acme', 'wh_1', at(120_000));
    expect(await store.slowUntil('acme', 'wh_1', at(90_000))).toEqual(at(120_000));
    expect(await store.slowUntil('acme', 'wh_2', at(0))).toBeNull();
    expect(await store.slowUntil('other', 'wh_1', at(0))).toBeNull();
  });

  test('grants at most `cap` live leases, even to concurrent workers; a release frees a place', async () => {
    const store = flights();
    const tokens = await Promise.all(Array.from({ length: 6 }, () => store.acquire('acme', 'wh_1', 2, at(0), at(10_000))));
    const granted = tokens.filter((token): token is string => token !== null);
    expect(granted).toHaveLength(2);
    expect(await store.acquire('acme', 'wh_1', 2, at(1000), at(11_000))).toBeNull();
    await store.release('acme', 'wh_1', granted[0]);
    expect(await store.acquire('acme', 'wh_1', 2, at(1000), at(11_000))).not.toBeNull();
    expect(await store.acquire('acme', 'wh_1', 2, at(1000), at(11_000))).toBeNull();
    // Another webhook, another team: their own places.
    expect(await store.acquire('acme', 'wh_2', 1, at(1000), at(11_000))).not.toBeNull();
    expect(await store.acquire('other', 'wh_1', 1, at(1000), at(11_000))).not.toBeNull();
  });

  test('leases of holders that never release run out; a release of a finished epoch frees nothing of the next', async () => {
    const store = flights();
    const old = await store.acquire('acme', 'wh_1', 1, at(0), at(10_000));
    expect(old).not.toBeNull();
    expect(await store.acquire('acme', 'wh_1', 1, at(9_999), at(19_999))).toBeNull();
    const fresh = await store.acquire('acme', 'wh_1', 1, at(10_000), at(20_000));
    expect(fresh).not.toBeNull();
    await store.release('acme', 'wh_1', old!);
    expect(await store.acquire('acme', 'wh_1', 1, at(11_000), at(21_000))).toBeNull();
    await store.release('acme', 'wh_1', fresh!);
    await store.release('acme', 'wh_1', fresh!); // twice: still one place, never two
    expect(await store.acquire('acme', 'wh_1', 1, at(11_000), at(21_000))).not.toBeNull();
    expect(await store.acquire('acme', 'wh_1', 1, at(11_000), at(21_000))).toBeNull();
  });

  test('a slow mark and the leases of one webhook do not disturb each other', async () => {
    const store = flights();
    await store.markSlow('acme', 'wh_1', at(60_000));
    const token = await store.acquire('acme', 'wh_1', 1, at(0), at(10_000));
    expect(token).not.toBeNull();
    await store.markSlow('acme', 'wh_1', at(90_000));
    expect(await store.acquire('acme', 'wh_1', 1, at(1000), at(11_000))).toBeNull();
    await store.release('acme', 'wh_1', token!);
    expect(await store.slowUntil('acme', 'wh_1', at(1000))).toEqual(at(90_000));
  });
}
