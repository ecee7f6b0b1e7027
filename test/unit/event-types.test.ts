/**
 * The event catalog (lambdas/domain/event-types.ts) and what it drives: the event report's
 * schema per type, the variables each type fills (checked by rendering the default payload of
 * a parsed report), and the automation filter rules per type (project, tagPattern, aliasPattern).
 */
import { EVENT_CATALOG, filledVariables, patternFieldOf, typesWithPattern } from '../../lambdas/domain/event-types';
import { eventSchema, parseBody } from '../../lambdas/domain/schemas';
import { createAutomation, updateAutomation } from '../../lambdas/domain/services/automations';
import { renderBody, TEMPLATE_VARIABLES } from '../../lambdas/domain/template';
import { EVENT_TYPES, type EventType, type RegistryEvent } from '../../lambdas/domain/types';
import { inMemoryDeps, seedWebhook } from './support/in-memory-deps';

const TEAM = 'demo';
const NO_SECRETS = { accessToken: null, secretName: null, secretValue: null };
const TAG_TYPES = ['ADD_ARTIFACT_TAG', 'REMOVE_ARTIFACT_TAG', 'ADD_COLLECTION_TAG', 'REMOVE_COLLECTION_TAG'] as const;

/** A report of `type` with every field set, as the registry could send it. */
function fullReport(type: string, overrides: Record<string, unknown> = {}) {
  return {
    id: `evt-${type}`, type, author: 'alice', entity: 'acme', project: 'model-registry',
    artifact: { collection: 'churn-model', version: 'wandb-artifact://_id/QXJ0aWZhY3Q6MTIz', versionString: 'acme/model-registry/churn-model:v3', metadata: { accuracy: 0.93 } },
    alias: 'production', tag: 'gold', ...overrides,
  };
}

/** The default payload (every variable) a parsed report renders to. */
function defaultPayloadOf(report: unknown): Record<string, unknown> {
  const event = parseBody(eventSchema, report) as RegistryEvent;
  return JSON.parse(renderBody(undefined, event, NO_SECRETS));
}

describe('the catalog', () => {
  test('lists exactly the eight event types of api.md, in its order', () => {
    expect(EVENT_TYPES).toEqual([
      'LINK_ARTIFACT', 'UNLINK_ARTIFACT', 'CREATE_ARTIFACT', 'ADD_ARTIFACT_ALIAS',
      'ADD_ARTIFACT_TAG', 'REMOVE_ARTIFACT_TAG', 'ADD_COLLECTION_TAG', 'REMOVE_COLLECTION_TAG',
    ]);
    expect(Object.keys(EVENT_CATALOG).sort()).toEqual([...EVENT_TYPES].sort());
  });

  test.each<[EventType, string[]]>([
    ['LINK_ARTIFACT', ['artifact_version', 'artifact_version_string']],
    ['UNLINK_ARTIFACT', ['artifact_version', 'artifact_version_string']],
    ['CREATE_ARTIFACT', ['artifact_version', 'artifact_version_string']],
    ['ADD_ARTIFACT_ALIAS', ['artifact_version', 'artifact_version_string', 'alias']],
    ['ADD_ARTIFACT_TAG', ['artifact_version', 'artifact_version_string', 'tag']],
    ['REMOVE_ARTIFACT_TAG', ['artifact_version', 'artifact_version_string', 'tag']],
    ['ADD_COLLECTION_TAG', ['tag']],
    ['REMOVE_COLLECTION_TAG', ['tag']],
  ])('%s fills the common variables and %j', (type, own) => {
    const common = ['event_type', 'event_author', 'entity_name', 'project_name', 'artifact_collection_name'];
    expect(filledVariables(type)).toEqual([...common, ...own, 'artifact_metadata.*']);
  });

  test('the pattern filters: aliasPattern on the alias event, tagPattern on the four tag events', () => {
    expect(typesWithPattern('aliasPattern')).toEqual(['ADD_ARTIFACT_ALIAS']);
    expect(typesWithPattern('tagPattern')).toEqual([...TAG_TYPES]);
    expect(EVENT_TYPES.filter((type) => patternFieldOf(type) === null)).toEqual(['LINK_ARTIFACT', 'UNLINK_ARTIFACT', 'CREATE_ARTIFACT']);
  });
});

describe('a report of each type renders what the type fills', () => {
  test.each([...EVENT_TYPES])('%s', (type) => {
    const payload = defaultPayloadOf(fullReport(type));
    const filled = new Set<string>(filledVariables(type));
    for (const variable of TEMPLATE_VARIABLES) {
      if (filled.has(variable)) expect({ variable, value: payload[variable] }).toEqual({ variable, value: expect.stringMatching(/.+/) });
    }
    expect(payload.event_type).toBe(type);
    expect(payload.project_name).toBe('model-registry');
    expect(payload.artifact_metadata).toEqual({ accuracy: 0.93 });
    if (EVENT_CATALOG[type].subject === 'collection') {
      // A collection event carries no version: empty even when the report sends one.
      expect([payload.artifact_version, payload.artifact_version_string]).toEqual(['', '']);
    } else {
      expect(payload.artifact_version_string).toBe('acme/model-registry/churn-model:v3');
    }
  });

  test.each(['ADD_COLLECTION_TAG', 'REMOVE_COLLECTION_TAG'])('%s without version fields (absent or null) is accepted, version variables empty', (type) => {
    for (const artifact of [{ collection: 'churn-model' }, { collection: 'churn-model', version: null, versionString: null, metadata: null }]) {
      const payload = defaultPayloadOf(fullReport(type, { artifact, alias: null }));
      expect(payload).toMatchObject({ artifact_version: '', artifact_version_string: '', tag: 'gold', alias: '', artifact_collection_name: 'churn-model', artifact_metadata: {} });
    }
  });

  test('an unknown type is refused, naming every known type', () => {
    expect(() => parseBody(eventSchema, fullReport('DELETE_ARTIFACT'))).toThrow(`type: must be one of ${EVENT_TYPES.join(', ')}`);
  });
});

describe('automation filters per type', () => {
  async function setup() {
    const deps = inMemoryDeps();
    await seedWebhook(deps);
    return deps;
  }
  const create = (deps: ReturnType<typeof inMemoryDeps>, event: Record<string, unknown>) =>
    createAutomation(deps, TEAM, { name: `a-${Math.random()}`, event, action: { type: 'WEBHOOK', webhookId: 'wh_1' } });

  test.each([...EVENT_TYPES])('%s takes project and collection filters', async (type) => {
    const deps = await setup();
    const created = await create(deps, { type, project: 'model-registry', collection: 'churn-model' });
    expect(created.event).toStrictEqual({ type, project: 'model-registry', collection: 'churn-model' });
  });

  test('project: null is absent; empty, too long or not a string → 400 naming event.project', async () => {
    const deps = await setup();
    expect((await create(deps, { type: 'LINK_ARTIFACT', project: null })).event).toStrictEqual({ type: 'LINK_ARTIFACT' });
    for (const project of ['', 'p'.repeat(257), 7]) {
      await expect(create(deps, { type: 'LINK_ARTIFACT', project })).rejects.toMatchObject({ kind: 'invalid', message: expect.stringMatching(/^event\.project: /) });
    }
    expect((await create(deps, { type: 'LINK_ARTIFACT', project: 'p'.repeat(256) })).event.project).toHaveLength(256);
  });

  test.each([...TAG_TYPES])('%s takes a tagPattern, compiled at save time', async (type) => {
    const deps = await setup();
    expect((await create(deps, { type, tagPattern: '^release-' })).event.tagPattern).toBe('^release-');
    await expect(create(deps, { type, tagPattern: '(' })).rejects.toMatchObject({ message: expect.stringMatching(/^event\.tagPattern: invalid regular expression/) });
    await expect(create(deps, { type, aliasPattern: 'x' })).rejects.toMatchObject({ message: 'event.aliasPattern: only applies to ADD_ARTIFACT_ALIAS' });
  });

  test.each(['LINK_ARTIFACT', 'UNLINK_ARTIFACT', 'CREATE_ARTIFACT', 'ADD_ARTIFACT_ALIAS'])('%s refuses a tagPattern', async (type) => {
    const deps = await setup();
    await expect(create(deps, { type, tagPattern: 'x' })).rejects.toMatchObject({
      message: 'event.tagPattern: only applies to ADD_ARTIFACT_TAG, REMOVE_ARTIFACT_TAG, ADD_COLLECTION_TAG, REMOVE_COLLECTION_TAG',
    });
  });

  test('PATCH: a project is added, replaced and removed (null); a move between tag types keeps the tagPattern', async () => {
    const deps = await setup();
    const created = await create(deps, { type: 'ADD_ARTIFACT_TAG', tagPattern: '^gold$' });
    expect((await updateAutomation(deps, TEAM, created.id, { event: { project: 'reg-a' } })).event).toStrictEqual({ type: 'ADD_ARTIFACT_TAG', tagPattern: '^gold$', project: 'reg-a' });
    expect((await updateAutomation(deps, TEAM, created.id, { event: { project: 'reg-b', type: 'ADD_COLLECTION_TAG' } })).event).toStrictEqual({ type: 'ADD_COLLECTION_TAG', tagPattern: '^gold$', project: 'reg-b' });
    expect((await updateAutomation(deps, TEAM, created.id, { event: { project: null } })).event).toStrictEqual({ type: 'ADD_COLLECTION_TAG', tagPattern: '^gold$' });
    await expect(updateAutomation(deps, TEAM, created.id, { event: { type: 'CREATE_ARTIFACT' } })).rejects.toMatchObject({ message: expect.stringMatching(/^event\.tagPattern: only applies to/) });
  });
});
