/**
 * Every registry event type and the registry scope, over real HTTP against local mode with a
 * recording receiver on loopback (api.md, "Automations" and "Events"):
 * - each type matches with `event.project` and `event.collection` filters (both must match;
 *   either absent = any), and a collection event renders empty version variables even when
 *   the report sends a version;
 * - `tagPattern` on the four tag events; an unknown type → 400 for automations and events;
 * - the payload examples: listed for members, each accepted by `POST …/automations` as it is,
 *   and rendered for real events into the JSON its service documents.
 */
import { EVENT_TYPES } from '../../../lambdas/domain/types';
import { SERVICE_CHECKS } from '../../shared/service-payloads';
import { client, expectError, registryEvent, unique } from '../support/api-session';
import { expectEachDeliveryReceivedOnce, startWithReceivers, T, type WithReceivers } from '../support/management';

const COLLECTION_TYPES = ['ADD_COLLECTION_TAG', 'REMOVE_COLLECTION_TAG'];
const TAG_TYPES = ['ADD_ARTIFACT_TAG', 'REMOVE_ARTIFACT_TAG', ...COLLECTION_TYPES];

describe('registry events and scope (local mode, receiver on loopback)', () => {
  let dev: WithReceivers;
  beforeAll(async () => {
    dev = await startWithReceivers();
  });
  afterAll(() => dev?.stop());

  /** A report of `type` from registry `project` about model `collection`, with a version (ignored by collection events). */
  const eventOf = (id: string, type: string, project: string, collection: string, extra: Record<string, unknown> = {}) =>
    registryEvent(id, {
      type, project, tag: TAG_TYPES.includes(type) ? 'gold' : null, alias: type === 'ADD_ARTIFACT_ALIAS' ? 'production' : null,
      artifact: { collection, version: 'wandb-artifact://_id/v9', versionString: `acme/${project}/${collection}:v9`, metadata: { accuracy: 0.9 } },
      ...extra,
    });
  const automationIds = (answer: { body: { deliveries: Array<{ automationId: string }> } }) => answer.body.deliveries.map((d) => d.automationId).sort();

  test.each([...EVENT_TYPES])('%s matches by project and collection; the body holds what the type fills', async (type) => {
    // Names of this test only: automations of other tests (registry-wide ones, say) cannot match its events.
    const model = unique('model');
    const regA = unique('reg-a');
    const regB = unique('reg-b');
    const [scoped, projectOnly, collectionOnly, otherProject] = await Promise.all([
      dev.automation({ event: { type, project: regA, collection: model }, action: { type: 'WEBHOOK', webhookId: dev.plainHook } }),
      dev.automation({ event: { type, project: regA }, action: { type: 'WEBHOOK', webhookId: dev.plainHook, payload: { p: '${project_name}', c: '${artifact_collection_name}' } } }),
      dev.automation({ event: { type, collection: model }, action: { type: 'WEBHOOK', webhookId: dev.plainHook, payload: { v: '${artifact_version}', s: '${artifact_version_string}' } } }),
      dev.automation({ event: { type, project: regB, collection: model }, action: { type: 'WEBHOOK', webhookId: dev.plainHook } }),
    ]);
    const id = unique(`evt-${type}`);

    // Right registry, right model: the scoped one, the registry-wide one and the model-wide one.
    const hit = await dev.report(eventOf(`${id}-1`, type, regA, model));
    expect(hit.status).toBe(202);
    expect(automationIds(hit)).toEqual([scoped, projectOnly, collectionOnly].sort());
    // The same model name in another registry: only that registry's and the model-wide one.
    expect(automationIds(await dev.report(eventOf(`${id}-2`, type, regB, model)))).toEqual([collectionOnly, otherProject].sort());
    // Right registry, another model: only the registry-wide one. No registry at all: only the model-wide one.
    expect(automationIds(await dev.report(eventOf(`${id}-3`, type, regA, unique('other'))))).toEqual([projectOnly]);
    expect(automationIds(await dev.report(eventOf(`${id}-4`, type, '', model)))).toEqual([collectionOnly]);
    // Another type never matches.
    const otherType = EVENT_TYPES.find((candidate) => candidate !== type)!;
    expect((await dev.report(eventOf(`${id}-5`, otherType, regA, model))).body.deliveries.filter((d: { automationId: string }) => [scoped, projectOnly, collectionOnly].includes(d.automationId))).toEqual([]);

    const byAutomation = new Map<string, string>(hit.body.deliveries.map((d: { automationId: string; id: string }) => [d.automationId, d.id]));
    const full = await dev.delivered(byAutomation.get(scoped)!);
    const isCollectionEvent = COLLECTION_TYPES.includes(type);
    expect(full.body).toMatchObject({
      event_type: type, project_name: regA, artifact_collection_name: model, artifact_metadata: { accuracy: 0.9 },
      // A collection event carries no version: empty although the report sent one.
      artifact_version: isCollectionEvent ? '' : 'wandb-artifact://_id/v9',
      artifact_version_string: isCollectionEvent ? '' : `acme/${regA}/${model}:v9`,
      tag: TAG_TYPES.includes(type) ? 'gold' : '',
      alias: type === 'ADD_ARTIFACT_ALIAS' ? 'production' : '',
    });
    expect(JSON.parse(full.log.payload)).toEqual(full.body);
    expect((await dev.delivered(byAutomation.get(projectOnly)!)).body).toEqual({ p: regA, c: model });
    expect((await dev.delivered(byAutomation.get(collectionOnly)!)).body).toEqual(isCollectionEvent ? { v: '', s: '' } : { v: 'wandb-artifact://_id/v9', s: `acme/${regA}/${model}:v9` });
  });

  test.each(COLLECTION_TYPES)('%s without any version field is accepted and renders empty version variables', async (type) => {
    const model = unique('bare-model');
    await dev.automation({ event: { type, collection: model }, action: { type: 'WEBHOOK', webhookId: dev.plainHook, payload: { v: '${artifact_version}', s: '${artifact_version_string}', t: '${tag}' } } });
    const answer = await dev.report({ id: unique('evt-bare'), type, author: 'bob', entity: 'acme', project: unique('reg'), artifact: { collection: model }, tag: 'deprecated' });
    expect(answer.status).toBe(202);
    expect((await dev.delivered(answer.body.deliveries[0].id)).body).toEqual({ v: '', s: '', t: 'deprecated' });
  });

  test.each(TAG_TYPES)('%s: the tagPattern decides which tags fire', async (type) => {
    const model = unique('tag-model');
    const project = unique('reg');
    const id = await dev.automation({ event: { type, collection: model, tagPattern: '^release-\\d+$' }, action: { type: 'WEBHOOK', webhookId: dev.plainHook, payload: { tag: '${tag}' } } });
    for (const tag of ['release-', 'pre-release-1', 'nightly']) {
      expect({ tag, deliveries: (await dev.report(eventOf(unique('evt-tag-no'), type, project, model, { tag }))).body.deliveries }).toEqual({ tag, deliveries: [] });
    }
    const fired = await dev.report(eventOf(unique('evt-tag-yes'), type, project, model, { tag: 'release-42' }));
    expect(automationIds(fired)).toEqual([id]);
    expect((await dev.delivered(fired.body.deliveries[0].id)).body).toEqual({ tag: 'release-42' });
  });

  test('filters the contract refuses → 400 naming the field, nothing stored; an unknown type → 400 for automations and events', async () => {
    const before = await dev.admin.get(`${T}/automations`);
    const refused: Array<[Record<string, unknown>, string]> = [
      [{ type: 'DELETE_ARTIFACT' }, `event.type: must be one of ${EVENT_TYPES.join(', ')}`],
      [{ type: 'LINK_ARTIFACT', project: '' }, 'event.project: must not be empty'],
      [{ type: 'CREATE_ARTIFACT', tagPattern: 'x' }, 'event.tagPattern: only applies to ADD_ARTIFACT_TAG, REMOVE_ARTIFACT_TAG, ADD_COLLECTION_TAG, REMOVE_COLLECTION_TAG'],
      [{ type: 'REMOVE_COLLECTION_TAG', aliasPattern: 'x' }, 'event.aliasPattern: only applies to ADD_ARTIFACT_ALIAS'],
      [{ type: 'ADD_COLLECTION_TAG', tagPattern: '(?=x)' }, 'event.tagPattern: invalid regular expression'],
    ];
    for (const [event, message] of refused) {
      const answer = await dev.admin.post(`${T}/automations`, { name: unique('bad'), event, action: { type: 'WEBHOOK', webhookId: dev.plainHook } });
      expectError(answer, 400, 'VALIDATION_FAILED');
      expect(answer.body.error.message).toContain(message);
    }
    expect((await dev.admin.get(`${T}/automations`)).body).toEqual(before.body);
    const unknown = await dev.registry.post(`${T}/events`, registryEvent(unique('evt-unknown'), { type: 'DELETE_ARTIFACT' }));
    expectError(unknown, 400, 'VALIDATION_FAILED');
    expect(unknown.body.error.message).toBe(`type: must be one of ${EVENT_TYPES.join(', ')}`);
  });

  describe('payload examples', () => {
    test('members list them; another team\'s key and no key are refused', async () => {
      const member = client(dev.local.baseUrl, (await dev.admin.post(`${T}/keys`, { role: 'member' })).body.key);
      const answer = await member.get(`${T}/payload-examples`);
      expect(answer.status).toBe(200);
      expect(answer.body.items.map((item: { id: string }) => item.id)).toEqual(['github-repository-dispatch', 'microsoft-teams', 'slack']);
      expectError(await client(dev.local.baseUrl, undefined).get(`${T}/payload-examples`), 401, 'UNAUTHENTICATED');
      expectError(await member.get('/teams/other/payload-examples'), 403, 'FORBIDDEN');
      expectError(await dev.registry.get(`${T}/payload-examples`), 403, 'FORBIDDEN');
    });

    test('each is accepted by POST …/automations as it is and renders, for a version and a collection event, as its service expects', async () => {
      const { items } = (await dev.admin.get(`${T}/payload-examples`)).body as { items: Array<{ id: string; payload: unknown }> };
      for (const item of items) {
        const model = unique(`example-${item.id}`);
        const created = await dev.admin.post(`${T}/automations`, { name: unique(item.id), event: { type: 'LINK_ARTIFACT', collection: model }, action: { type: 'WEBHOOK', webhookId: dev.signedHook, payload: item.payload } });
        expect(created.status).toBe(201);
        expect(created.body.action.payload).toEqual(item.payload);
        await dev.automation({ event: { type: 'ADD_COLLECTION_TAG', collection: model }, action: { type: 'WEBHOOK', webhookId: dev.plainHook, payload: item.payload } });
        for (const type of ['LINK_ARTIFACT', 'ADD_COLLECTION_TAG']) {
          const answer = await dev.report(eventOf(unique(`evt-${item.id}`), type, unique('reg'), model));
          expect(answer.body.deliveries).toHaveLength(1);
          const { body } = await dev.delivered(answer.body.deliveries[0].id);
          expect({ id: item.id, type, problems: SERVICE_CHECKS[item.id](body) }).toEqual({ id: item.id, type, problems: [] });
          expect(JSON.stringify(body)).toContain(model);
        }
      }
    });
  });

  test('in the end, every delivery reached the receiver exactly once', () => {
    expectEachDeliveryReceivedOnce(dev.receiver);
  });
});
