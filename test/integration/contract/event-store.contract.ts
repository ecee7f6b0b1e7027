/** The EventStore contract (lambdas/domain/ports.ts): put-if-absent, and the event kept exactly. */
import type { EventRecord, EventStore } from '../../../lambdas/domain/ports';
import { sampleEvent } from '../../../lambdas/domain/template';
import { MAX_DELIVERIES_PER_EVENT } from '../../../lambdas/domain/services/automation-limits';
import { deliveryIdFor } from '../../../lambdas/domain/delivery-ids';
import { MAX_METADATA_BYTES } from '../../../lambdas/domain/schemas';

const EXPIRES = new Date('2030-01-01T00:00:00.000Z');

function record(team: string, eventId: string, overrides: Partial<EventRecord> = {}): EventRecord {
  const event = sampleEvent();
  return {
    team,
    eventId,
    // Metadata DynamoDB numbers could not hold, and text that needs escaping, must come back exactly.
    event: { ...event, id: eventId, artifact: { ...event.artifact, metadata: { big: 12345678901234567890, nested: { deep: [1.5, 'é\u0000'] } } } },
    deliveries: [{ id: 'dlv_1', automationId: 'au_1', webhookId: 'wh_1' }, { id: 'dlv_2', automationId: 'au_2', webhookId: 'wh_1' }],
    createdAt: '2025-06-01T12:00:00.000Z',
    ...overrides,
  };
}

/** Defines the contract's tests; `store()` is a fresh, empty store of the engine under test. */
export function eventStoreContract(store: () => EventStore): void {
  test('the first record of an event is stored and returned; a later one gets the first back', async () => {
    const events = store();
    const first = record('acme', 'evt-1');
    expect(await events.putIfAbsent(first, EXPIRES)).toEqual(first);
    const later = record('acme', 'evt-1', { deliveries: [], createdAt: '2025-06-02T00:00:00.000Z' });
    expect(await events.putIfAbsent(later, EXPIRES)).toEqual(first);
    expect(await events.get('acme', 'evt-1')).toEqual(first);
  });

  test('the same event id in two teams is two events', async () => {
    const events = store();
    await events.putIfAbsent(record('acme', 'evt-1'), EXPIRES);
    const theirs = record('other', 'evt-1', { deliveries: [] });
    expect(await events.putIfAbsent(theirs, EXPIRES)).toEqual(theirs);
    expect(await events.get('other', 'evt-1')).toEqual(theirs);
    expect(await events.get('nobody', 'evt-1')).toBeUndefined();
  });

  test('getMany returns the team\'s events by id and leaves out missing ones', async () => {
    const events = store();
    for (const id of ['evt-a', 'evt-b', 'evt-c']) await events.putIfAbsent(record('acme', id), EXPIRES);
    await events.putIfAbsent(record('other', 'evt-d'), EXPIRES);
    const found = await events.getMany('acme', ['evt-c', 'evt-a', 'evt-missing', 'evt-d']);
    expect([...found.keys()].sort()).toEqual(['evt-a', 'evt-c']);
    expect(found.get('evt-a')).toEqual(record('acme', 'evt-a'));
    expect(await events.getMany('acme', [])).toEqual(new Map());
  });

  test('the largest record fits: the most deliveries one event can make beside the largest event', async () => {
    const events = store();
    const big = largestRecord('acme', 'e'.repeat(128));
    expect(await events.putIfAbsent(big, EXPIRES)).toEqual(big);
    expect(await events.get('acme', big.eventId)).toEqual(big);
  });

  test('getMany reads every one of many large records (BatchGetItem answers only part of them per call)', async () => {
    const events = store();
    // ~200 KB each: an engine answers a few per BatchGetItem (dynalite ~1.4 MB, DynamoDB 16 MB).
    const ids = Array.from({ length: 40 }, (_, index) => `evt-large-${index}`);
    for (const id of ids) await events.putIfAbsent(largestRecord('acme', id), EXPIRES);
    const found = await events.getMany('acme', ids);
    expect([...found.keys()].sort()).toEqual([...ids].sort());
    expect(found.get('evt-large-7')).toEqual(largestRecord('acme', 'evt-large-7'));
  });

  test('getMany reads more than one batch (over 100 ids)', async () => {
    const events = store();
    const ids = Array.from({ length: 130 }, (_, index) => `evt-${index}`);
    await Promise.all(ids.map((id) => events.putIfAbsent(record('acme', id, { deliveries: [] }), EXPIRES)));
    expect((await events.getMany('acme', ids)).size).toBe(130);
  });
}

/** The largest record there can be: every text field and the metadata at their limits, and the most deliveries one event can make. */
function largestRecord(team: string, eventId: string): EventRecord {
  const event = sampleEvent();
  // Every text field at its limit, metadata at its limit (minus the frame `{"k":""}`).
  const largest = {
    ...event, id: eventId, author: 'a'.repeat(256), entity: 'n'.repeat(256), project: 'p'.repeat(256), alias: 'l'.repeat(256), tag: 't'.repeat(256),
    artifact: { collection: 'c'.repeat(256), version: 'v'.repeat(1024), versionString: 's'.repeat(1024), metadata: { k: 'm'.repeat(MAX_METADATA_BYTES - 8) } },
  };
  const createdAt = '2025-06-01T12:00:00.000Z';
  const deliveries = Array.from({ length: MAX_DELIVERIES_PER_EVENT }, (_, index) => {
    const automationId = `au_${index.toString(16).padStart(32, '0')}`;
    return { id: deliveryIdFor(team, largest.id, automationId, createdAt), automationId, webhookId: `wh_${(index % 7).toString(16).padStart(32, '0')}` };
  });
  return record(team, largest.id, { event: largest, deliveries, createdAt });
}
