/**
 * Event reports (lambdas/domain/services/events.ts) over the in-memory ports: which
 * automations an event triggers, what a report writes (record, deliveries, queue messages),
 * duplicates, refusals that must write nothing, and — the point of the design — a report that
 * died part-way, completed by its retry without losing or doubling a delivery.
 */
import type { DeliveryMessage, DeliveryStore, EventStore } from '../../../lambdas/domain/ports';
import { processDeliveryMessage } from '../../../lambdas/domain/services/delivery-worker';
import { deliveryIdFor, MAX_PAYLOAD_BYTES, reportEvent } from '../../../lambdas/domain/services/events';
import type { Automation, Delivery, RegistryEvent } from '../../../lambdas/domain/types';
import { InjectedFailure, inMemoryDeps, sampleEvent, seedWebhook, type InMemoryDeps } from '../support/in-memory-deps';
import { expectRefusedWithoutChange, seedAutomation, storeContents, TEAM } from './fixtures';

/** The clock's time when a test starts. */
const T0 = '2025-01-01T00:00:00.000Z';

/** Deps with webhook wh_1 and `count` enabled LINK_ARTIFACT automations au_1… on it, each with its own template. */
async function setup(count = 2) {
  const deps = inMemoryDeps();
  await seedWebhook(deps);
  const automations: Automation[] = [];
  for (let n = 1; n <= count; n++) {
    automations.push(await seedAutomation(deps, `au_${n}`, { action: { type: 'WEBHOOK', webhookId: 'wh_1', payload: { n, version: '${artifact_version_string}' } } }));
  }
  return { deps, automations };
}

/** The entry of the event's record (and of the answer) for the delivery to `automation`. */
function entry(automation: Automation, eventId = 'evt-1') {
  return { id: deliveryIdFor(TEAM, eventId, automation.id, T0), automationId: automation.id, webhookId: automation.action.webhookId };
}

/** The delivery a report of evt-1 at `at` writes for `automation` (to wh_1's URL). */
function expectedDelivery(automation: Automation, at = T0): Delivery {
  return {
    id: deliveryIdFor(TEAM, 'evt-1', automation.id, at),
    team: TEAM,
    eventId: 'evt-1',
    automationId: automation.id,
    webhookId: automation.action.webhookId,
    url: 'https://hooks.example.com/in',
    status: 'pending',
    attempts: [],
    attemptCount: 0,
    roundAttempts: 0,
    nextAttemptAt: at,
    createdAt: at,
    updatedAt: at,
    template: automation.action.payload,
  };
}

/** Takes the queued messages, expecting exactly one first attempt, due now, for each of `ids` (in any order). */
function expectQueuedFirstAttempts(deps: InMemoryDeps, ids: readonly string[]): void {
  const byId = (a: DeliveryMessage, b: DeliveryMessage) => a.deliveryId.localeCompare(b.deliveryId);
  const expected = ids.map((deliveryId) => ({ team: TEAM, deliveryId, attempt: 1, notBefore: deps.clock.ms }));
  expect(deps.queue.drain().sort(byId)).toEqual(expected.sort(byId));
}

function idsOf(automations: readonly Automation[]): string[] {
  return automations.map((automation) => entry(automation).id);
}

describe('a new event', () => {
  test('answers 202 with one delivery per enabled automation of the team whose type and collection match', async () => {
    const deps = inMemoryDeps();
    const hook = await seedWebhook(deps);
    const anyCollection = await seedAutomation(deps, 'au_any');
    const sameCollection = await seedAutomation(deps, 'au_same', { event: { type: 'LINK_ARTIFACT', collection: 'churn-model' } });
    await seedAutomation(deps, 'au_other_collection', { event: { type: 'LINK_ARTIFACT', collection: 'fraud-model' } });
    await seedAutomation(deps, 'au_other_type', { event: { type: 'UNLINK_ARTIFACT' } });
    await seedAutomation(deps, 'au_disabled', { enabled: false });
    await deps.webhooks.create({ ...hook, id: 'wh_other', team: 'other' });
    await seedAutomation(deps, 'au_other_team', { team: 'other', action: { type: 'WEBHOOK', webhookId: 'wh_other' } });

    expect(await reportEvent(deps, TEAM, sampleEvent())).toEqual({
      status: 202,
      body: { eventId: 'evt-1', duplicate: false, deliveries: [entry(anyCollection), entry(sameCollection)] },
    });
  });

  test.each([
    { type: 'ADD_ARTIFACT_ALIAS', field: 'aliasPattern', values: { alias: 'production', tag: null }, matching: 'duct', notMatching: '^duct' },
    { type: 'ADD_ARTIFACT_TAG', field: 'tagPattern', values: { alias: null, tag: 'golden' }, matching: '^gold', notMatching: '^GOLD' },
  ] as const)('$type: the $field filters, with search semantics', async ({ type, field, values, matching, notMatching }) => {
    const deps = inMemoryDeps();
    await seedWebhook(deps);
    const unfiltered = await seedAutomation(deps, 'au_unfiltered', { event: { type } });
    const matches = await seedAutomation(deps, 'au_match', { event: { type, [field]: matching } });
    await seedAutomation(deps, 'au_miss', { event: { type, [field]: notMatching } });

    const result = await reportEvent(deps, TEAM, { ...sampleEvent(), type, ...values });

    expect(result.body.deliveries).toEqual([entry(unfiltered), entry(matches)]);
  });

  test('stores the record with the event, each delivery pending with its template, and queues attempt 1 of each; all kept 30 days', async () => {
    const { deps, automations } = await setup();
    const putRecord = jest.spyOn(deps.events as EventStore, 'putIfAbsent');
    const createDelivery = jest.spyOn(deps.deliveries as DeliveryStore, 'createIfAbsent');

    await reportEvent(deps, TEAM, sampleEvent());

    expect(await deps.events.get(TEAM, 'evt-1')).toEqual({ team: TEAM, eventId: 'evt-1', event: sampleEvent(), deliveries: automations.map((a) => entry(a)), createdAt: T0 });
    expect(deps.deliveries.size).toBe(2);
    for (const automation of automations) expect(deps.deliveries.stored(entry(automation).id)).toEqual(expectedDelivery(automation));
    expect(deps.queue.sent).toEqual(idsOf(automations).map((deliveryId) => ({ team: TEAM, deliveryId, attempt: 1, notBefore: Date.parse(T0) })));
    const retention = new Date(Date.parse(T0) + 30 * 86_400_000);
    expect(putRecord.mock.calls.map(([, expiresAt]) => expiresAt)).toEqual([retention]);
    expect(createDelivery.mock.calls.map(([, expiresAt]) => expiresAt)).toEqual([retention, retention]);
  });

  test('the stored event drops fields this version does not know and reads null text fields as empty', async () => {
    const { deps } = await setup(1);
    const sample = sampleEvent();
    const body = { ...sample, author: null, project: null, alias: undefined, comingSoon: 1, artifact: { ...sample.artifact, metadata: null, comingSoon: 2 } };

    await reportEvent(deps, TEAM, body);

    expect((await deps.events.get(TEAM, 'evt-1'))?.event).toStrictEqual({ ...sample, author: '', project: '', alias: null, artifact: { ...sample.artifact, metadata: {} } });
  });

  test('delivery ids come from team, event id and automation id, after their creation time', async () => {
    // Pinned: a retry that spans a deploy must find the deliveries the first call made.
    expect(deliveryIdFor('demo', 'evt-1', 'au_1', T0)).toBe('dlv_0m5d4ruo098655b86084f31a882c320c2');
    // Ids sort by creation time (the log's order), whatever the hash.
    expect(deliveryIdFor('demo', 'evt-1', 'au_1', '2025-01-01T00:00:01.000Z') > deliveryIdFor('demo', 'evt-9', 'au_9', T0)).toBe(true);
    const variants = [deliveryIdFor('demo', 'evt-1', 'au_1', T0), deliveryIdFor('other', 'evt-1', 'au_1', T0), deliveryIdFor('demo', 'evt-2', 'au_1', T0), deliveryIdFor('demo', 'evt-1', 'au_2', T0)];
    expect(new Set(variants).size).toBe(4);
    // Two separate stores (two cold starts) make the same ids for the same report.
    const [first, second] = [await setup(), await setup()];
    const answers = [await reportEvent(first.deps, TEAM, sampleEvent()), await reportEvent(second.deps, TEAM, sampleEvent())];
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0].body.deliveries.map((d) => d.id)).toEqual([deliveryIdFor(TEAM, 'evt-1', 'au_1', T0), deliveryIdFor(TEAM, 'evt-1', 'au_2', T0)]);
  });

  test('an event that triggers nothing is still recorded: 202, no delivery, no message', async () => {
    const { deps } = await setup();

    expect(await reportEvent(deps, TEAM, { ...sampleEvent(), type: 'UNLINK_ARTIFACT' })).toEqual({ status: 202, body: { eventId: 'evt-1', duplicate: false, deliveries: [] } });

    expect((await deps.events.get(TEAM, 'evt-1'))?.deliveries).toEqual([]);
    expect(deps.deliveries.size).toBe(0);
    expect(deps.queue.sent).toEqual([]);
  });

  test('an automation whose webhook was deleted makes no delivery', async () => {
    const { deps, automations } = await setup(1);
    const gone = await seedWebhook(deps, { id: 'wh_gone', name: 'gone' });
    await seedAutomation(deps, 'au_gone', { action: { type: 'WEBHOOK', webhookId: 'wh_gone' } });
    await deps.webhooks.delete(gone);

    const result = await reportEvent(deps, TEAM, sampleEvent());

    expect(result.body.deliveries).toEqual(automations.map((a) => entry(a)));
    expect((await deps.events.get(TEAM, 'evt-1'))?.deliveries).toEqual(automations.map((a) => entry(a)));
    expect(deps.deliveries.size).toBe(1);
    expectQueuedFirstAttempts(deps, idsOf(automations));
  });
});

describe('a repeated report', () => {
  test('answers 200 duplicate with the first deliveries, changes no record and queues only deliveries not attempted yet', async () => {
    const { deps, automations } = await setup(3);
    const first = await reportEvent(deps, TEAM, sampleEvent());
    const [succeeds, fails, waits] = deps.queue.drain();
    deps.sender.script = [{ status: 204 }, { status: 500 }];
    await processDeliveryMessage(deps, succeeds);
    await processDeliveryMessage(deps, fails);
    deps.queue.drain(); // the retry the worker scheduled for the failed one
    expect(idsOf(automations).map((id) => deps.deliveries.stored(id).status)).toEqual(['succeeded', 'retrying', 'pending']);
    const stored = await storeContents(deps, ['evt-1']);
    deps.clock.advance(60_000);

    expect(await reportEvent(deps, TEAM, sampleEvent())).toEqual({ status: 200, body: { ...first.body, duplicate: true } });

    expectQueuedFirstAttempts(deps, [waits.deliveryId]);
    expect(await storeContents(deps, ['evt-1'])).toEqual(stored);
  });

  test('is told by the event id alone: a changed body, or an automation added since, changes nothing', async () => {
    const { deps, automations } = await setup();
    await reportEvent(deps, TEAM, sampleEvent());
    const record = await deps.events.get(TEAM, 'evt-1');
    await seedAutomation(deps, 'au_later', { event: { type: 'UNLINK_ARTIFACT' } });
    deps.queue.drain();

    const again = await reportEvent(deps, TEAM, { ...sampleEvent(), type: 'UNLINK_ARTIFACT', author: 'mallory' });

    expect(again).toEqual({ status: 200, body: { eventId: 'evt-1', duplicate: true, deliveries: automations.map((a) => entry(a)) } });
    expect(await deps.events.get(TEAM, 'evt-1')).toEqual(record);
    expect(deps.deliveries.size).toBe(2);
  });

  test('the same event id from another team is a new event, with its own deliveries', async () => {
    const { deps } = await setup(1);
    const hook = await deps.webhooks.get(TEAM, 'wh_1');
    await deps.webhooks.create({ ...hook!, id: 'wh_other', team: 'other' });
    const theirs = await seedAutomation(deps, 'au_theirs', { team: 'other', action: { type: 'WEBHOOK', webhookId: 'wh_other' } });
    await reportEvent(deps, TEAM, sampleEvent());

    const result = await reportEvent(deps, 'other', sampleEvent());

    expect(result).toEqual({
      status: 202,
      body: { eventId: 'evt-1', duplicate: false, deliveries: [{ id: deliveryIdFor('other', 'evt-1', theirs.id, T0), automationId: theirs.id, webhookId: 'wh_other' }] },
    });
    expect(deps.deliveries.size).toBe(2);
  });
});

describe('refused reports write nothing', () => {
  const fourTimes = { a: '${artifact_metadata.big}', b: '${artifact_metadata.big}', c: '${artifact_metadata.big}', d: '${artifact_metadata.big}' };

  function withBigMetadata(big: string): RegistryEvent {
    const event = sampleEvent();
    return { ...event, artifact: { ...event.artifact, metadata: { big } } };
  }

  /** Deps whose au_1 is fine and whose au_huge repeats the metadata value `big` four times. */
  async function setupHuge() {
    const { deps } = await setup(1);
    await seedAutomation(deps, 'au_huge', { name: 'huge', action: { type: 'WEBHOOK', webhookId: 'wh_1', payload: fourTimes } });
    return deps;
  }

  test('a payload whose inserted values pass MAX_PAYLOAD_BYTES is refused before it is built', async () => {
    const deps = await setupHuge();
    const message = `payload of automation huge renders to more than ${MAX_PAYLOAD_BYTES} bytes; the limit is ${MAX_PAYLOAD_BYTES}`;

    await expectRefusedWithoutChange(deps, () => reportEvent(deps, TEAM, withBigMetadata('x'.repeat(60_000))), { kind: 'invalid', message, details: [{ message }] }, ['evt-1']);
    expect(await deps.events.get(TEAM, 'evt-1')).toBeUndefined();
    expect(deps.deliveries.size).toBe(0);
    expect(deps.queue.sent).toEqual([]);
  });

  test('a payload over MAX_PAYLOAD_BYTES in UTF-8 bytes (fewer characters) is refused with its size', async () => {
    const deps = await setupHuge();
    const big = 'é'.repeat(30_000); // 60,000 bytes; four of them are 120,000 characters but 240,000 bytes
    const bytes = Buffer.byteLength(JSON.stringify({ a: big, b: big, c: big, d: big }));
    const message = `payload of automation huge renders to ${bytes} bytes; the limit is ${MAX_PAYLOAD_BYTES}`;

    await expectRefusedWithoutChange(deps, () => reportEvent(deps, TEAM, withBigMetadata(big)), { kind: 'invalid', message, details: [{ message }] }, ['evt-1']);
    expect(deps.deliveries.size).toBe(0);
  });

  const sample = sampleEvent();
  test.each([
    { what: 'no body', body: undefined, message: 'id: is required' },
    { what: 'an array', body: [sample], message: 'body: must be a JSON object' },
    { what: 'an empty id', body: { ...sample, id: '' }, message: 'id: must be 1-128 characters' },
    { what: 'an id of 129 characters', body: { ...sample, id: 'e'.repeat(129) }, message: 'id: must be 1-128 characters' },
    { what: 'an unknown type', body: { ...sample, type: 'DELETE_ARTIFACT' }, message: 'type: must be one of LINK_ARTIFACT, UNLINK_ARTIFACT, CREATE_ARTIFACT, ADD_ARTIFACT_ALIAS, ADD_ARTIFACT_TAG, REMOVE_ARTIFACT_TAG, ADD_COLLECTION_TAG, REMOVE_COLLECTION_TAG' },
    { what: 'no artifact', body: { ...sample, artifact: undefined }, message: 'artifact: is required' },
    { what: 'an empty collection', body: { ...sample, artifact: { ...sample.artifact, collection: '' } }, message: 'artifact.collection: must not be empty' },
    { what: 'metadata that is not an object', body: { ...sample, artifact: { ...sample.artifact, metadata: [1] } }, message: 'artifact.metadata: must be a JSON object' },
    {
      what: 'metadata over 64 KiB',
      body: { ...sample, artifact: { ...sample.artifact, metadata: { big: 'x'.repeat(65_536) } } },
      message: 'artifact.metadata: must be at most 65536 bytes of JSON',
    },
  ])('$what → invalid ($message)', async ({ body, message }) => {
    const { deps } = await setup();
    await expectRefusedWithoutChange(deps, () => reportEvent(deps, TEAM, body), { kind: 'invalid', message }, ['evt-1']);
  });
});

describe('a report that failed part-way is completed by its retry', () => {
  test('(a) a delivery write fails after the record: the retry writes it as the first call would have, and queues both', async () => {
    const { deps, automations } = await setup();
    const [one, two] = automations;
    const [idOne, idTwo] = idsOf(automations);
    deps.deliveries.failCreate.add(idTwo);

    await expect(reportEvent(deps, TEAM, sampleEvent())).rejects.toThrow(InjectedFailure);
    const record = await deps.events.get(TEAM, 'evt-1');
    expect(record?.deliveries).toEqual([entry(one), entry(two)]);
    expect(deps.deliveries.stored(idOne)).toEqual(expectedDelivery(one));
    expect(await deps.deliveries.get(TEAM, idTwo)).toBeUndefined();
    expect(deps.queue.sent).toEqual([]);

    deps.deliveries.failCreate.clear();
    deps.clock.advance(60_000);
    await seedAutomation(deps, 'au_later'); // matches too, but is not part of this event

    expect(await reportEvent(deps, TEAM, sampleEvent())).toEqual({ status: 200, body: { eventId: 'evt-1', duplicate: true, deliveries: record!.deliveries } });
    expect(deps.deliveries.stored(idTwo)).toEqual(expectedDelivery(two));
    expect(deps.deliveries.stored(idOne)).toEqual(expectedDelivery(one));
    expect(deps.deliveries.size).toBe(2);
    expectQueuedFirstAttempts(deps, [idOne, idTwo]);
    expect(await deps.events.get(TEAM, 'evt-1')).toEqual(record);
  });

  test('(a) a recorded delivery whose automation was deleted before the retry is not written (nothing to render)', async () => {
    const { deps, automations } = await setup();
    const [idOne, idTwo] = idsOf(automations);
    deps.deliveries.failCreate.add(idOne).add(idTwo);
    await expect(reportEvent(deps, TEAM, sampleEvent())).rejects.toThrow(InjectedFailure);
    deps.deliveries.failCreate.clear();
    await deps.automations.delete(TEAM, 'au_2');

    const retry = await reportEvent(deps, TEAM, sampleEvent());

    expect(retry).toEqual({ status: 200, body: { eventId: 'evt-1', duplicate: true, deliveries: automations.map((a) => entry(a)) } });
    expect(deps.deliveries.stored(idOne)).toEqual(expectedDelivery(automations[0]));
    expect(deps.deliveries.size).toBe(1);
    expectQueuedFirstAttempts(deps, [idOne]);
  });

  test('(b) the queue send fails after the deliveries: the retry queues those not attempted, not one already attempted', async () => {
    const { deps, automations } = await setup();
    const [idOne, idTwo] = idsOf(automations);
    deps.queue.failNext = true;

    await expect(reportEvent(deps, TEAM, sampleEvent())).rejects.toThrow(InjectedFailure);
    for (const automation of automations) expect(deps.deliveries.stored(entry(automation).id)).toEqual(expectedDelivery(automation));
    expect(deps.queue.sent).toEqual([]);
    // Part of the send got through before it failed: the worker made the first delivery's attempt.
    await processDeliveryMessage(deps, { team: TEAM, deliveryId: idOne, attempt: 1, notBefore: deps.clock.ms });
    expect(deps.deliveries.stored(idOne)).toMatchObject({ status: 'succeeded', attemptCount: 1 });
    deps.clock.advance(60_000);

    expect(await reportEvent(deps, TEAM, sampleEvent())).toEqual({ status: 200, body: { eventId: 'evt-1', duplicate: true, deliveries: automations.map((a) => entry(a)) } });
    expectQueuedFirstAttempts(deps, [idTwo]);
    expect(deps.deliveries.size).toBe(2);
  });

  test('(c) the record write fails: nothing else is written, and the retry is a new report', async () => {
    const { deps, automations } = await setup();
    deps.events.failNextPut = true;

    await expectRefusedWithoutChange(deps, () => reportEvent(deps, TEAM, sampleEvent()), { name: 'InjectedFailure', message: 'injected failure: event put' }, ['evt-1']);
    expect(await deps.events.get(TEAM, 'evt-1')).toBeUndefined();
    expect(deps.deliveries.size).toBe(0);

    expect(await reportEvent(deps, TEAM, sampleEvent())).toEqual({ status: 202, body: { eventId: 'evt-1', duplicate: false, deliveries: automations.map((a) => entry(a)) } });
    for (const automation of automations) expect(deps.deliveries.stored(entry(automation).id)).toEqual(expectedDelivery(automation));
    expectQueuedFirstAttempts(deps, idsOf(automations));
  });
});

test('two reports of one new event at once: one 202 and one 200 with the same deliveries, each stored once and queued', async () => {
  const { deps, automations } = await setup();
  const deliveries = automations.map((a) => entry(a));
  const putRecord = jest.spyOn(deps.events as EventStore, 'putIfAbsent');

  const answers = await Promise.all([reportEvent(deps, TEAM, sampleEvent()), reportEvent(deps, TEAM, sampleEvent())]);

  // Both found no record and both tried to write one: the race the put-if-absent settles.
  expect(putRecord).toHaveBeenCalledTimes(2);
  expect(answers.map((answer) => answer.status).sort()).toEqual([200, 202]);
  expect(answers.find((answer) => answer.status === 202)?.body).toEqual({ eventId: 'evt-1', duplicate: false, deliveries });
  expect(answers.find((answer) => answer.status === 200)?.body).toEqual({ eventId: 'evt-1', duplicate: true, deliveries });
  expect(deps.deliveries.size).toBe(2);
  for (const automation of automations) expect(deps.deliveries.stored(entry(automation).id)).toEqual(expectedDelivery(automation));
  // Each at least once, always attempt 1: a second message for an attempt is harmless (the worker claims it once).
  const queued = deps.queue.drain();
  expect(new Set(queued.map((message) => message.deliveryId))).toEqual(new Set(idsOf(automations)));
  expect(queued.every((message) => message.attempt === 1 && message.notBefore === deps.clock.ms)).toBe(true);
});
