/**
 * Registry events (api.md, "Events"), over real HTTP against local mode with a recording
 * receiver on loopback (127.0.0.1 exempt; see support/management.ts):
 * - idempotency by event id (repeats, changed bodies, concurrent reports), the filters that
 *   decide which automations fire (type, collection, alias and tag patterns, enabled), the
 *   default payload, secrets rendered in the POST but redacted in the log, refused reports;
 * - limits and forward compatibility: unknown fields and nulls, the metadata limit, the
 *   rendered payload limit.
 * Last, every delivery reached the receiver exactly once.
 */
import { client, expectError, registryEvent, unique, type Client } from '../support/api-session';
import type { LocalModeProcess } from '../support/local-mode';
import { expectEachDeliveryReceivedOnce, HMAC_VALUE, signature, startWithReceivers, T, TOKEN_VALUE, type WithReceivers } from '../support/management';
import type { Receiver } from '../support/receiver';

describe('events (local mode with 127.0.0.1 exempt and a receiver on loopback)', () => {
  let dev: WithReceivers;
  let local: LocalModeProcess, receiver: Receiver, admin: Client, registry: Client, signedHook: string, plainHook: string;
  let received: WithReceivers['received'], delivered: WithReceivers['delivered'], automation: WithReceivers['automation'], report: WithReceivers['report'];
  beforeAll(async () => ({ local, receiver, admin, registry, signedHook, plainHook, received, delivered, automation, report } = dev = await startWithReceivers()));
  afterAll(() => dev?.stop());

  describe('events', () => {
    test('the same event id again → 200, duplicate, the same deliveries, and one POST only', async () => {
      await automation({ event: { type: 'LINK_ARTIFACT', collection: 'idem-model' }, action: { type: 'WEBHOOK', webhookId: plainHook } });
      const event = registryEvent('evt-idem-1', { artifact: { collection: 'idem-model', version: 'v', versionString: 'acme/p/idem-model:v1' } });
      const first = await report(event);
      expect(first.status).toBe(202);
      expect(first.body).toEqual({ eventId: 'evt-idem-1', duplicate: false, deliveries: [{ id: expect.any(String), automationId: expect.any(String), webhookId: plainHook }] });
      const again = await report(event);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ ...first.body, duplicate: true });
      const { log } = await delivered(first.body.deliveries[0].id);
      expect(log.attempts).toHaveLength(1);
      // Reported a third time after delivery: still nothing new.
      const third = await report(event);
      expect(third.body).toEqual({ ...first.body, duplicate: true });
      expect((await admin.get(`${T}/deliveries?eventId=evt-idem-1`)).body.items).toHaveLength(1);
      expect(received(first.body.deliveries[0].id)).toHaveLength(1);
    });

    test('a retried report with a changed body is still the same event: duplicate, original deliveries', async () => {
      await automation({ event: { type: 'LINK_ARTIFACT', collection: 'changed-model' }, action: { type: 'WEBHOOK', webhookId: plainHook } });
      const first = await report(registryEvent('evt-changed-1', { artifact: { collection: 'changed-model' } }));
      expect(first.status).toBe(202);
      expect(first.body.deliveries).toHaveLength(1);
      const changed = await report(registryEvent('evt-changed-1', { artifact: { collection: 'fraud-model' }, author: 'mallory' }));
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({ ...first.body, duplicate: true });
      await delivered(first.body.deliveries[0].id);
    });

    test('concurrent reports of one event: one 202, the rest 200 duplicates, one POST', async () => {
      await automation({ event: { type: 'LINK_ARTIFACT', collection: 'race-model' }, action: { type: 'WEBHOOK', webhookId: plainHook } });
      const event = registryEvent('evt-race-1', { artifact: { collection: 'race-model' } });
      const answers = await Promise.all(Array.from({ length: 6 }, () => registry.post(`${T}/events`, event)));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 200, 202]);
      const accepted = answers.find((answer) => answer.status === 202)!;
      for (const answer of answers) expect(answer.body.deliveries).toEqual(accepted.body.deliveries);
      const { log } = await delivered(accepted.body.deliveries[0].id);
      expect(log.attempts).toHaveLength(1);
    });

    test('the alias pattern decides which alias events fire', async () => {
      const id = await automation({ event: { type: 'ADD_ARTIFACT_ALIAS', collection: 'alias-model', aliasPattern: '^prod(uction)?$' }, action: { type: 'WEBHOOK', webhookId: plainHook } });
      const aliasEvent = (eventId: string, alias: string | null) => registryEvent(eventId, { type: 'ADD_ARTIFACT_ALIAS', alias, artifact: { collection: 'alias-model' } });
      for (const [eventId, alias] of [['evt-alias-no-1', 'staging'], ['evt-alias-no-2', 'preproduction'], ['evt-alias-no-3', 'prod-eu'], ['evt-alias-no-4', null]] as const) {
        expect({ alias, deliveries: (await report(aliasEvent(eventId, alias))).body.deliveries }).toEqual({ alias, deliveries: [] });
      }
      for (const [eventId, alias] of [['evt-alias-yes-1', 'production'], ['evt-alias-yes-2', 'prod']] as const) {
        const answer = await report(aliasEvent(eventId, alias));
        expect(answer.body.deliveries).toEqual([{ id: expect.any(String), automationId: id, webhookId: plainHook }]);
        const { body } = await delivered(answer.body.deliveries[0].id);
        expect(body).toMatchObject({ event_type: 'ADD_ARTIFACT_ALIAS', alias });
      }
    });

    test('the tag pattern decides which tag events fire', async () => {
      const id = await automation({ event: { type: 'ADD_ARTIFACT_TAG', collection: 'tag-model', tagPattern: 'release-\\d+' }, action: { type: 'WEBHOOK', webhookId: plainHook } });
      const tagEvent = (eventId: string, tag: string) => registryEvent(eventId, { type: 'ADD_ARTIFACT_TAG', tag, artifact: { collection: 'tag-model' } });
      expect((await report(tagEvent('evt-tag-no-1', 'nightly'))).body.deliveries).toEqual([]);
      expect((await report(tagEvent('evt-tag-no-2', 'release-'))).body.deliveries).toEqual([]);
      const answer = await report(tagEvent('evt-tag-yes-1', 'candidate-release-12'));
      expect(answer.body.deliveries).toEqual([{ id: expect.any(String), automationId: id, webhookId: plainHook }]);
      expect((await delivered(answer.body.deliveries[0].id)).body).toMatchObject({ event_type: 'ADD_ARTIFACT_TAG', tag: 'candidate-release-12' });
    });

    test('event type and collection filters: only matching events fire', async () => {
      const id = await automation({ event: { type: 'UNLINK_ARTIFACT', collection: 'filter-model' }, action: { type: 'WEBHOOK', webhookId: plainHook } });
      expect((await report(registryEvent('evt-filter-1', { type: 'LINK_ARTIFACT', artifact: { collection: 'filter-model' } }))).body.deliveries).toEqual([]);
      expect((await report(registryEvent('evt-filter-2', { type: 'UNLINK_ARTIFACT', artifact: { collection: 'other-model' } }))).body.deliveries).toEqual([]);
      const answer = await report(registryEvent('evt-filter-3', { type: 'UNLINK_ARTIFACT', artifact: { collection: 'filter-model' } }));
      expect(answer.body.deliveries.map((d: { automationId: string }) => d.automationId)).toEqual([id]);
      await delivered(answer.body.deliveries[0].id);
    });

    test('a disabled automation never fires; enabling it makes it fire; disabling stops it again', async () => {
      const id = await automation({ enabled: false, event: { type: 'LINK_ARTIFACT', collection: 'disabled-model' }, action: { type: 'WEBHOOK', webhookId: plainHook } });
      const event = (eventId: string) => registryEvent(eventId, { artifact: { collection: 'disabled-model' } });
      expect((await report(event('evt-disabled-1'))).body.deliveries).toEqual([]);
      expect((await admin.patch(`${T}/automations/${id}`, { enabled: true })).body.enabled).toBe(true);
      const fired = await report(event('evt-disabled-2'));
      expect(fired.body.deliveries).toEqual([{ id: expect.any(String), automationId: id, webhookId: plainHook }]);
      await delivered(fired.body.deliveries[0].id);
      expect((await admin.patch(`${T}/automations/${id}`, { enabled: false })).status).toBe(200);
      expect((await report(event('evt-disabled-3'))).body.deliveries).toEqual([]);
      expect((await admin.get(`${T}/deliveries?automationId=${id}`)).body.items).toHaveLength(1);
    });

    test('no payload → the default payload: every variable, and artifact_metadata as an object', async () => {
      await automation({ event: { type: 'ADD_ARTIFACT_ALIAS', collection: 'default-model' }, action: { type: 'WEBHOOK', webhookId: plainHook } });
      const metadata = { accuracy: 0.93, nested: { layers: [64, 32] }, note: 'quote " backslash \\' };
      const answer = await report({
        id: 'evt-default-1', type: 'ADD_ARTIFACT_ALIAS', author: 'bob', entity: 'acme', project: 'reg',
        artifact: { collection: 'default-model', version: 'wandb-artifact://_id/abc', versionString: 'acme/reg/default-model:v7', metadata },
        alias: 'staging', tag: null,
      });
      const { body, log } = await delivered(answer.body.deliveries[0].id);
      expect(body).toEqual({
        event_type: 'ADD_ARTIFACT_ALIAS', event_author: 'bob', entity_name: 'acme', project_name: 'reg',
        artifact_collection_name: 'default-model', artifact_version: 'wandb-artifact://_id/abc',
        artifact_version_string: 'acme/reg/default-model:v7', alias: 'staging', tag: '', artifact_metadata: metadata,
      });
      expect(JSON.parse(log.payload)).toEqual(body);
    });

    test('${ACCESS_TOKEN} and ${HMAC_KEY} render the values in the POST; the delivery log shows [REDACTED]', async () => {
      const payload = { auth: 'token ${ACCESS_TOKEN}', key: '${HMAC_KEY}', v: '${artifact_version_string}' };
      await automation({ event: { type: 'LINK_ARTIFACT', collection: 'secret-model' }, action: { type: 'WEBHOOK', webhookId: signedHook, payload } });
      const answer = await report(registryEvent('evt-secret-1', { artifact: { collection: 'secret-model', versionString: 'acme/p/secret-model:v2' } }));
      const { body, request, log } = await delivered(answer.body.deliveries[0].id);
      expect(body).toEqual({ auth: `token ${TOKEN_VALUE}`, key: HMAC_VALUE, v: 'acme/p/secret-model:v2' });
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN_VALUE}`);
      expect(request.headers['x-wandb-signature']).toBe(signature(request.body));
      expect(JSON.parse(log.payload)).toEqual({ auth: 'token [REDACTED]', key: '[REDACTED]', v: 'acme/p/secret-model:v2' });
      const listed = await admin.get(`${T}/deliveries?eventId=evt-secret-1`);
      for (const text of [JSON.stringify(log), listed.text]) {
        expect(text).not.toContain(TOKEN_VALUE);
        expect(text).not.toContain(HMAC_VALUE);
        expect(text).not.toContain(JSON.stringify(HMAC_VALUE).slice(1, -1));
      }
    });

    test('members cannot report events; an invalid event → 400 and nothing is recorded', async () => {
      const member = client(local.baseUrl, (await admin.post(`${T}/keys`, { role: 'member' })).body.key);
      expectError(await member.post(`${T}/events`, registryEvent('evt-member-1')), 403, 'FORBIDDEN');
      const before = await admin.get(`${T}/deliveries?limit=100`);
      for (const bad of [
        registryEvent(''),
        registryEvent('x'.repeat(129)),
        registryEvent('evt-bad-type', { type: 'LINKED' }),
        registryEvent('evt-no-artifact', { artifact: undefined }),
        registryEvent('evt-null-collection', { artifact: { collection: null } }),
        registryEvent('evt-array-metadata', { artifact: { collection: 'm', metadata: [1, 2] } }),
        registryEvent('evt-string-metadata', { artifact: { collection: 'm', metadata: 'x' } }),
      ]) {
        expectError(await registry.post(`${T}/events`, bad), 400, 'VALIDATION_FAILED');
      }
      expect((await admin.get(`${T}/deliveries?limit=100`)).body).toEqual(before.body);
      // An id of 128 characters is fine.
      expect((await report(registryEvent('e'.repeat(128)))).status).toBe(202);
    });
  });

  describe('event limits and forward compatibility', () => {
    test('unknown fields are ignored (and not kept); null text fields are empty; null metadata is {}', async () => {
      await automation({ event: { type: 'LINK_ARTIFACT', collection: 'lenient-model' }, action: { type: 'WEBHOOK', webhookId: plainHook } });
      const answer = await report({
        id: 'evt-lenient-1', type: 'LINK_ARTIFACT', author: null, entity: null, project: null, colour: 'red', schemaVersion: 2,
        artifact: { collection: 'lenient-model', version: null, versionString: null, metadata: null, digest: 'sha256:abc' },
        alias: null, tag: null,
      });
      expect(answer.status).toBe(202);
      expect(answer.body.deliveries).toHaveLength(1);
      const { body } = await delivered(answer.body.deliveries[0].id);
      expect(body).toEqual({
        event_type: 'LINK_ARTIFACT', event_author: '', entity_name: '', project_name: '', artifact_collection_name: 'lenient-model',
        artifact_version: '', artifact_version_string: '', alias: '', tag: '', artifact_metadata: {},
      });
    });

    test('artifact.metadata over 65536 bytes of JSON → 400 naming the limit, nothing recorded (it used to answer 500 forever)', async () => {
      await automation({ event: { type: 'LINK_ARTIFACT', collection: 'big-model' }, action: { type: 'WEBHOOK', webhookId: plainHook } });
      const before = await admin.get(`${T}/deliveries?limit=100`);
      const big = registryEvent('evt-big-metadata', { artifact: { collection: 'big-model', metadata: { blob: 'm'.repeat(210_000) } } });
      expect(JSON.stringify(big).length).toBeLessThan(256 * 1024);
      for (let round = 0; round < 2; round++) {
        const answer = await registry.post(`${T}/events`, big);
        expectError(answer, 400, 'VALIDATION_FAILED');
        expect(answer.body.error.message).toBe('artifact.metadata: must be at most 65536 bytes of JSON');
      }
      expect((await admin.get(`${T}/deliveries?limit=100`)).body).toEqual(before.body);
      // At the limit exactly, it is accepted and delivered, with the metadata in the default payload.
      const frame = JSON.stringify({ blob: '' }).length;
      const metadata = { blob: 'm'.repeat(65536 - frame) };
      const accepted = await report(registryEvent('evt-big-metadata', { artifact: { collection: 'big-model', metadata } }));
      expect(accepted.status).toBe(202);
      expect((await delivered(accepted.body.deliveries[0].id)).body.artifact_metadata).toEqual(metadata);
    });

    test('a payload rendering over 204800 bytes → 400 naming the automation, nothing written; a smaller one goes through', async () => {
      const blob = 'b'.repeat(60_000);
      const name = unique('fat-payload');
      const template = { a: '${artifact_metadata.blob}', b: '${artifact_metadata.blob}', c: '${artifact_metadata.blob}', d: '${artifact_metadata.blob}' };
      await admin.post(`${T}/automations`, { name, event: { type: 'LINK_ARTIFACT', collection: 'fat-model' }, action: { type: 'WEBHOOK', webhookId: plainHook, payload: template } });
      await automation({ event: { type: 'LINK_ARTIFACT', collection: 'fat-model' }, action: { type: 'WEBHOOK', webhookId: plainHook } });
      const before = await admin.get(`${T}/deliveries?limit=100`);
      const count = receiver.requests.length;
      for (let round = 0; round < 2; round++) {
        const answer = await registry.post(`${T}/events`, registryEvent('evt-fat-1', { artifact: { collection: 'fat-model', metadata: { blob } } }));
        expectError(answer, 400, 'VALIDATION_FAILED');
        // Rendering stops as soon as the inserted values pass the limit, so the size is a bound.
        expect(answer.body.error.message).toBe(`payload of automation ${name} renders to more than 204800 bytes; the limit is 204800`);
      }
      expect((await admin.get(`${T}/deliveries?limit=100`)).body).toEqual(before.body);
      expect((await admin.get(`${T}/deliveries?eventId=evt-fat-1`)).body.items).toEqual([]);
      expect(receiver.requests).toHaveLength(count);
      // The largest payload allowed: the record (event, payload, template, attempts) fits and is delivered.
      const fits = 'b'.repeat(Math.floor((204800 - JSON.stringify({ a: '', b: '', c: '', d: '' }).length) / 4));
      const answer = await report(registryEvent('evt-fat-1', { artifact: { collection: 'fat-model', metadata: { blob: fits } } }));
      expect(answer.status).toBe(202);
      expect(answer.body.deliveries).toHaveLength(2);
      for (const delivery of answer.body.deliveries) await delivered(delivery.id);
    });
  });

  test('in the end, every delivery reached the receiver exactly once', () => {
    expectEachDeliveryReceivedOnce(receiver);
  });
});
