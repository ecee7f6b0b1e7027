/**
 * Test POSTs, the deliveries log and team isolation, over real HTTP against local mode with
 * recording receivers on loopback (127.0.0.1 exempt; see support/management.ts):
 * - POST /webhooks/{id}/test: signed like a real delivery, default and custom payloads, a
 *   failing receiver, invalid payloads, and nothing stored in the deliveries log;
 * - the deliveries log: paging newest first without gaps or repeats, filters, and a null
 *   nextCursor on the last page (a team of its own with exactly three deliveries);
 * - another team's keys see none of this team's webhooks, automations, deliveries or secrets,
 *   cannot use them, and have event ids of their own.
 * The log is seeded with finished deliveries to both receiving webhooks before the tests.
 * Last, every delivery reached the receiver exactly once.
 */
import { client, expectError, registryEvent, type Client } from '../support/api-session';
import { waitFor, type ApiAnswer } from '../support/http';
import { createKeyWithCli } from '../support/keys-cli';
import type { LocalModeProcess } from '../support/local-mode';
import { expectEachDeliveryReceivedOnce, signature, startWithReceivers, T, TOKEN_VALUE, type WithReceivers } from '../support/management';
import type { Receiver } from '../support/receiver';

describe('deliveries (local mode with 127.0.0.1 exempt and receivers on loopback)', () => {
  let dev: WithReceivers;
  let local: LocalModeProcess, receiver: Receiver, failingReceiver: Receiver, admin: Client, registry: Client;
  let signedHook: string, plainHook: string, failingHook: string, delivered: WithReceivers['delivered'], automation: WithReceivers['automation'];
  beforeAll(async () => {
    ({ local, receiver, failingReceiver, admin, registry, signedHook, plainHook, failingHook, delivered, automation } = dev = await startWithReceivers());
    // A log to page through and filter: eight finished deliveries, to both receiving webhooks.
    await automation({ event: { type: 'LINK_ARTIFACT', collection: 'log-plain-model' }, action: { type: 'WEBHOOK', webhookId: plainHook } });
    await automation({ event: { type: 'LINK_ARTIFACT', collection: 'log-signed-model' }, action: { type: 'WEBHOOK', webhookId: signedHook } });
    for (let i = 1; i <= 8; i++) {
      const answer = await dev.report(registryEvent(`evt-log-${i}`, { artifact: { collection: i % 2 === 0 ? 'log-signed-model' : 'log-plain-model' } }));
      expect(answer.body.deliveries).toHaveLength(1);
      await delivered(answer.body.deliveries[0].id);
    }
  });
  afterAll(() => dev?.stop());

  describe('POST /webhooks/{id}/test', () => {
    /** The full deliveries log, to show that test POSTs are stored nowhere. */
    const deliveriesLog = async () => (await admin.get(`${T}/deliveries?limit=100`)).body;

    test('→ 200 {ok, status, durationMs, responseBody}, signed as a real delivery, default sample payload', async () => {
      const before = await deliveriesLog();
      const count = receiver.requests.length;
      const answer = await admin.post(`${T}/webhooks/${signedHook}/test`, {});
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ ok: true, status: 200, durationMs: expect.any(Number), responseBody: 'ok' });
      expect(answer.body.durationMs).toBeGreaterThanOrEqual(0);
      expect(receiver.requests).toHaveLength(count + 1);
      const request = receiver.requests[count];
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/signed');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-wandb-signature']).toBe(signature(request.body));
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN_VALUE}`);
      expect(request.headers['x-wandb-delivery']).toEqual(expect.any(String));
      expect(request.headers['user-agent']).toMatch(/^registry-webhooks\//);
      const body = JSON.parse(request.body);
      expect(Object.keys(body).sort()).toEqual(['alias', 'artifact_collection_name', 'artifact_metadata', 'artifact_version', 'artifact_version_string', 'entity_name', 'event_author', 'event_type', 'project_name', 'tag']);
      expect(typeof body.artifact_metadata).toBe('object');
      expect(await deliveriesLog()).toEqual(before);
    });

    test('payload: null means the default sample payload, as when it is left out', async () => {
      const count = receiver.requests.length;
      expect((await admin.post(`${T}/webhooks/${plainHook}/test`, { payload: null })).body).toMatchObject({ ok: true, status: 200 });
      expect((await admin.post(`${T}/webhooks/${plainHook}/test`, {})).body).toMatchObject({ ok: true, status: 200 });
      const [nulled, absent] = receiver.requests.slice(count).map((request) => JSON.parse(request.body));
      expect(nulled).toEqual(absent);
      expect(nulled).toMatchObject({ event_type: 'LINK_ARTIFACT', artifact_metadata: expect.any(Object) });
    });

    test('with a custom payload (object or JSON text), secrets rendered', async () => {
      const count = receiver.requests.length;
      const answer = await admin.post(`${T}/webhooks/${signedHook}/test`, { payload: { hello: '${event_type}', token: '${ACCESS_TOKEN}' } });
      expect(answer.body).toMatchObject({ ok: true, status: 200 });
      const request = receiver.requests[count];
      expect(JSON.parse(request.body)).toEqual({ hello: 'LINK_ARTIFACT', token: TOKEN_VALUE });
      expect(request.headers['x-wandb-signature']).toBe(signature(request.body));
      expect(answer.text).not.toContain(TOKEN_VALUE);

      const text = await admin.post(`${T}/webhooks/${plainHook}/test`, { payload: '["${artifact_collection_name}", 1]' });
      expect(text.body).toMatchObject({ ok: true, status: 200 });
      expect(JSON.parse(receiver.requests[count + 1].body)).toEqual(['churn-model', 1]);
      expect(receiver.requests[count + 1].headers['x-wandb-signature']).toBeUndefined();
      expect(receiver.requests[count + 1].headers.authorization).toBeUndefined();
    });

    test('a receiver answering 500 → 200 {ok: false, status: 500}, and nothing is stored', async () => {
      const before = await deliveriesLog();
      const answer = await admin.post(`${T}/webhooks/${failingHook}/test`, {});
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ ok: false, status: 500, responseBody: 'receiver exploded', durationMs: expect.any(Number) });
      expect(failingReceiver.requests.at(-1)!.headers['x-wandb-signature']).toBe(signature(failingReceiver.requests.at(-1)!.body));
      expect(await deliveriesLog()).toEqual(before);
    });

    test('an invalid payload → 400 and nothing is sent', async () => {
      const count = receiver.requests.length;
      for (const payload of [{ a: '${nope}' }, '{"a":', { t: '${OTHER_SECRET}' }]) {
        expectError(await admin.post(`${T}/webhooks/${plainHook}/test`, { payload }), 400, 'VALIDATION_FAILED');
      }
      expectError(await admin.post(`${T}/webhooks/${plainHook}/test`, { payload: {}, extra: 1 }), 400, 'VALIDATION_FAILED');
      expectError(await admin.post(`${T}/webhooks/${plainHook}/test`, { payload: { t: '${ACCESS_TOKEN}' } }), 400, 'VALIDATION_FAILED');
      expect(receiver.requests).toHaveLength(count);
    });
  });

  describe('the deliveries log', () => {
    test('pages newest first, without gaps or repeats, and filters', async () => {
      const all: Array<{ id: string; createdAt: string; status: string; webhookId: string }> = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: ApiAnswer = await admin.get(`${T}/deliveries?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(3);
        all.push(...page.body.items);
        cursor = page.body.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 100);
      expect(cursor).toBeNull();
      expect(all.length).toBeGreaterThan(6);
      expect(new Set(all.map((item) => item.id)).size).toBe(all.length);
      const whole = (await admin.get(`${T}/deliveries?limit=100`)).body.items.map((item: { id: string }) => item.id);
      expect(all.map((item) => item.id)).toEqual(whole);
      const times = all.map((item) => item.createdAt);
      expect([...times].sort().reverse()).toEqual(times);

      const toPlain = (await admin.get(`${T}/deliveries?webhookId=${plainHook}&limit=100`)).body.items;
      expect(toPlain.length).toBe(all.filter((item) => item.webhookId === plainHook).length);
      const succeeded = (await admin.get(`${T}/deliveries?status=succeeded&limit=100`)).body.items;
      expect(succeeded.every((item: { status: string }) => item.status === 'succeeded')).toBe(true);
      expect(succeeded.length).toBe(all.filter((item) => item.status === 'succeeded').length);
    });
  });

  describe('deliveries log pages end with a null cursor', () => {
    const TEAM_P = '/teams/paging';
    let paging: Client;
    let deliveryIds: string[];

    beforeAll(async () => {
      paging = client(local.baseUrl, await createKeyWithCli(local, { team: 'paging', role: 'admin' }));
      const hook = await paging.post(`${TEAM_P}/webhooks`, { name: 'plain', url: `${receiver.url}/paging` });
      expect(hook.status).toBe(201);
      expect((await paging.post(`${TEAM_P}/automations`, { name: 'a', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: hook.body.id } })).status).toBe(201);
      deliveryIds = [];
      for (const id of ['evt-page-1', 'evt-page-2', 'evt-page-3']) {
        const answer = await registry.post(`${TEAM_P}/events`, registryEvent(id));
        expect(answer.status).toBe(202);
        deliveryIds.push(answer.body.deliveries[0].id);
      }
      for (const id of deliveryIds) {
        await waitFor(async () => ((await paging.get(`${TEAM_P}/deliveries/${id}`)).body.status === 'succeeded' ? true : undefined), { what: `delivery ${id}` });
      }
    });

    test('limit equal to the number of deliveries → all of them and nextCursor null', async () => {
      const page = await paging.get(`${TEAM_P}/deliveries?limit=3`);
      expect(page.status).toBe(200);
      expect(page.body.items.map((item: { id: string }) => item.id).sort()).toEqual([...deliveryIds].sort());
      expect(page.body.nextCursor).toBeNull();
      expect((await paging.get(`${TEAM_P}/deliveries?limit=4`)).body.nextCursor).toBeNull();
    });

    test('a cursor only when more follows: 2 + 1, the last page with nextCursor null', async () => {
      const first = await paging.get(`${TEAM_P}/deliveries?limit=2`);
      expect(first.body.items).toHaveLength(2);
      expect(typeof first.body.nextCursor).toBe('string');
      const second = await paging.get(`${TEAM_P}/deliveries?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      expect(second.body.items).toHaveLength(1);
      expect(second.body.nextCursor).toBeNull();
      const seen = [...first.body.items, ...second.body.items].map((item: { id: string }) => item.id);
      expect(seen.sort()).toEqual([...deliveryIds].sort());
    });

    test('filtered pages too: one match, limit 1 → nextCursor null', async () => {
      const page = await paging.get(`${TEAM_P}/deliveries?eventId=evt-page-2&limit=1`);
      expect(page.body.items.map((item: { eventId: string }) => item.eventId)).toEqual(['evt-page-2']);
      expect(page.body.nextCursor).toBeNull();
      const succeeded = await paging.get(`${TEAM_P}/deliveries?status=succeeded&limit=3`);
      expect(succeeded.body.items).toHaveLength(3);
      expect(succeeded.body.nextCursor).toBeNull();
    });
  });

  describe("another team's keys see none of this team's data", () => {
    let other: Client;
    let otherTeamPath: string;
    let demo: { hook: string; automation: string; delivery: string };

    beforeAll(async () => {
      other = client(local.baseUrl, await createKeyWithCli(local, { team: 'other', role: 'admin' }));
      otherTeamPath = '/teams/other';
      const automations = (await admin.get(`${T}/automations`)).body.items;
      const deliveries = (await admin.get(`${T}/deliveries?limit=1`)).body.items;
      demo = { hook: signedHook, automation: automations[0].id, delivery: deliveries[0].id };
    });

    test('its lists are empty', async () => {
      for (const path of ['/webhooks', '/automations', '/secrets', '/deliveries']) {
        const answer = await other.get(`${otherTeamPath}${path}`);
        expect({ path, status: answer.status, items: answer.body.items }).toEqual({ path, status: 200, items: [] });
      }
      const keys = (await other.get(`${otherTeamPath}/keys`)).body.items;
      expect(keys).toHaveLength(1);
    });

    test("this team's ids are not found under its team", async () => {
      const O = otherTeamPath;
      expectError(await other.get(`${O}/webhooks/${demo.hook}`), 404, 'NOT_FOUND');
      expectError(await other.patch(`${O}/webhooks/${demo.hook}`, { name: 'stolen' }), 404, 'NOT_FOUND');
      expectError(await other.post(`${O}/webhooks/${demo.hook}/test`, {}), 404, 'NOT_FOUND');
      expectError(await other.delete(`${O}/webhooks/${demo.hook}`), 404, 'NOT_FOUND');
      expectError(await other.get(`${O}/automations/${demo.automation}`), 404, 'NOT_FOUND');
      expectError(await other.patch(`${O}/automations/${demo.automation}`, { enabled: false }), 404, 'NOT_FOUND');
      expectError(await other.delete(`${O}/automations/${demo.automation}`), 404, 'NOT_FOUND');
      expectError(await other.get(`${O}/deliveries/${demo.delivery}`), 404, 'NOT_FOUND');
      expectError(await other.post(`${O}/deliveries/${demo.delivery}/redeliver`), 404, 'NOT_FOUND');
      expectError(await other.delete(`${O}/secrets/HMAC_KEY`), 404, 'NOT_FOUND');
      expect((await admin.get(`${T}/webhooks/${demo.hook}`)).body.name).toBe('signed');
      expect((await admin.get(`${T}/automations/${demo.automation}`)).status).toBe(200);
    });

    test("it cannot point its automations at this team's webhooks or its webhooks at this team's secrets", async () => {
      const automation = await other.post(`${otherTeamPath}/automations`, { name: 'x', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: demo.hook } });
      expectError(automation, 400, 'VALIDATION_FAILED');
      const hook = await other.post(`${otherTeamPath}/webhooks`, { name: 'x', url: 'https://ci.example.com/', secret: 'HMAC_KEY' });
      expectError(hook, 400, 'VALIDATION_FAILED');
      // Same names as this team's are fine: names are per team.
      expect((await other.put(`${otherTeamPath}/secrets/HMAC_KEY`, { value: 'other-team-value' })).status).toBe(201);
      expect((await other.post(`${otherTeamPath}/webhooks`, { name: 'signed', url: 'https://ci.example.com/', secret: 'HMAC_KEY' })).status).toBe(201);
      // This team's secret is untouched (its deliveries still sign with its own value).
      const count = receiver.requests.length;
      expect((await admin.post(`${T}/webhooks/${signedHook}/test`, {})).body.ok).toBe(true);
      expect(receiver.requests[count].headers['x-wandb-signature']).toBe(signature(receiver.requests[count].body));
    });

    test('event ids are per team', async () => {
      await automation({ event: { type: 'LINK_ARTIFACT', collection: 'shared-id-model' }, action: { type: 'WEBHOOK', webhookId: plainHook } });
      const event = registryEvent('evt-shared-id', { artifact: { collection: 'shared-id-model' } });
      const forOther = await registry.post(`${otherTeamPath}/events`, event);
      expect(forOther.status).toBe(202);
      expect(forOther.body).toEqual({ eventId: 'evt-shared-id', duplicate: false, deliveries: [] });
      const forThis = await registry.post(`${T}/events`, event);
      expect(forThis.status).toBe(202);
      expect(forThis.body.duplicate).toBe(false);
      expect(forThis.body.deliveries).toHaveLength(1);
      await delivered(forThis.body.deliveries[0].id);
    });
  });

  test('in the end, every delivery reached the receiver exactly once', () => {
    expectEachDeliveryReceivedOnce(receiver);
  });
});
