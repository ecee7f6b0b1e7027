/**
 * Automations (lambdas/domain/services/automations.ts) over the in-memory ports: create, read,
 * list, update and delete; the rules a create and a PATCH (merged, then checked as a whole)
 * must pass; and that every refusal leaves the stores as they were.
 */
import {
  createAutomation,
  deleteAutomation,
  getAutomation,
  listAutomations,
  MAX_TEMPLATE_BYTES,
  updateAutomation,
} from '../../../lambdas/domain/services/automations';
import { inMemoryDeps, seedWebhook } from '../support/in-memory-deps';
import { automationRecord, expectRefusedWithoutChange, TEAM } from './fixtures';

const T0 = '2025-01-01T00:00:00.000Z';
const AU_ID = /^au_[0-9a-f]{32}$/;

/**
 * Deps with webhooks wh_1 (signed with HMAC_KEY, no access token) and wh_token (access token
 * TOKEN, no signing secret), and another team's webhook wh_other.
 */
async function setup() {
  const deps = inMemoryDeps();
  const hook = await seedWebhook(deps);
  await deps.secrets.put(TEAM, 'TOKEN', 'token-value');
  await seedWebhook(deps, { id: 'wh_token', name: 'with-token', secret: null, accessToken: 'TOKEN' });
  await deps.webhooks.create({ ...hook, id: 'wh_other', team: 'other' });
  return deps;
}

/** A create body: LINK_ARTIFACT to wh_1, with `overrides` on top. */
function body(overrides: Record<string, unknown> = {}) {
  return { name: 'deploy', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: 'wh_1' }, ...overrides };
}

/** A create body with this payload template, to `webhookId`. */
function withPayload(payload: unknown, webhookId = 'wh_1') {
  return body({ action: { type: 'WEBHOOK', webhookId, payload } });
}

describe('create, get, list, delete', () => {
  test('create stores the automation as given (name trimmed) and answers it without the team', async () => {
    const deps = await setup();
    const event = { type: 'ADD_ARTIFACT_ALIAS', collection: 'churn-model', aliasPattern: '^prod' };
    const action = { type: 'WEBHOOK', webhookId: 'wh_1', payload: { version: '${artifact_version_string}', key: '${HMAC_KEY}' } };

    const created = await createAutomation(deps, TEAM, { name: '  deploy  ', description: 'on promotion', enabled: false, event, action });

    expect(created).toEqual({ id: expect.stringMatching(AU_ID), name: 'deploy', description: 'on promotion', enabled: false, event, action, createdAt: T0, updatedAt: T0 });
    expect(await deps.automations.list(TEAM)).toEqual([{ ...created, team: TEAM }]);
  });

  test('null on an optional field is the default: no description, enabled, any collection, no pattern, the default payload', async () => {
    const deps = await setup();

    const created = await createAutomation(deps, TEAM, {
      name: 'deploy',
      description: null,
      enabled: null,
      event: { type: 'ADD_ARTIFACT_ALIAS', collection: null, aliasPattern: null, tagPattern: null },
      action: { type: 'WEBHOOK', webhookId: 'wh_1', payload: null },
    });

    // No key left holding null or undefined: as an automation of that type, to wh_1, with all defaults.
    expect(await deps.automations.get(TEAM, created.id)).toStrictEqual(automationRecord(deps, created.id, { name: 'deploy', event: { type: 'ADD_ARTIFACT_ALIAS' } }));
  });

  test('a template given as JSON text is stored as that text', async () => {
    const deps = await setup();
    const payload = '{"version": "${artifact_version_string}"}';

    const created = await createAutomation(deps, TEAM, withPayload(payload));

    expect((await deps.automations.get(TEAM, created.id))?.action).toEqual({ type: 'WEBHOOK', webhookId: 'wh_1', payload });
  });

  test("get and list answer the team's own automations only", async () => {
    const deps = await setup();
    const first = await createAutomation(deps, TEAM, body({ name: 'first' }));
    deps.clock.advance(1000);
    const second = await createAutomation(deps, TEAM, body({ name: 'second' }));
    const theirs = automationRecord(deps, 'au_theirs', { team: 'other', action: { type: 'WEBHOOK', webhookId: 'wh_other' } });
    await deps.automations.put(theirs);

    expect(await listAutomations(deps, TEAM)).toEqual({ items: [first, second] });
    expect(await getAutomation(deps, TEAM, second.id)).toEqual(second);
    await expect(getAutomation(deps, TEAM, theirs.id)).rejects.toMatchObject({ kind: 'not-found', message: 'automation not found' });
    await expect(getAutomation(deps, TEAM, 'au_nope')).rejects.toMatchObject({ kind: 'not-found', message: 'automation not found' });
  });

  test('delete removes it; deleting it again, or another team’s, is not-found', async () => {
    const deps = await setup();
    const kept = await createAutomation(deps, TEAM, body({ name: 'kept' }));
    const gone = await createAutomation(deps, TEAM, body({ name: 'gone' }));
    const theirs = automationRecord(deps, 'au_theirs', { team: 'other', action: { type: 'WEBHOOK', webhookId: 'wh_other' } });
    await deps.automations.put(theirs);

    await deleteAutomation(deps, TEAM, gone.id);

    expect(await listAutomations(deps, TEAM)).toEqual({ items: [kept] });
    await expectRefusedWithoutChange(deps, () => deleteAutomation(deps, TEAM, gone.id), { kind: 'not-found', message: 'automation not found' });
    await expectRefusedWithoutChange(deps, () => deleteAutomation(deps, TEAM, theirs.id), { kind: 'not-found' });
    expect(await deps.automations.get('other', theirs.id)).toEqual(theirs);
  });
});

describe('a create is refused, and nothing stored, when', () => {
  const overLimit = { x: 'a'.repeat(MAX_TEMPLATE_BYTES - 7) }; // {"x":"…"} is 8 bytes more than the value
  test.each([
    {
      what: 'an aliasPattern is set on another type than ADD_ARTIFACT_ALIAS',
      input: body({ event: { type: 'LINK_ARTIFACT', aliasPattern: '^prod' } }),
      error: { message: 'event.aliasPattern: only applies to ADD_ARTIFACT_ALIAS', details: [{ field: 'event.aliasPattern', message: 'only applies to ADD_ARTIFACT_ALIAS' }] },
    },
    {
      what: 'a tagPattern is set on a type that carries no tag',
      input: body({ event: { type: 'ADD_ARTIFACT_ALIAS', tagPattern: 'gold' } }),
      error: { message: 'event.tagPattern: only applies to ADD_ARTIFACT_TAG, REMOVE_ARTIFACT_TAG, ADD_COLLECTION_TAG, REMOVE_COLLECTION_TAG', details: [{ field: 'event.tagPattern', message: 'only applies to ADD_ARTIFACT_TAG, REMOVE_ARTIFACT_TAG, ADD_COLLECTION_TAG, REMOVE_COLLECTION_TAG' }] },
    },
    {
      what: 'an aliasPattern does not compile',
      input: body({ event: { type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '(' } }),
      error: { message: 'event.aliasPattern: invalid regular expression (error parsing regexp: missing closing ): `(`)', details: [{ field: 'event.aliasPattern' }] },
    },
    {
      what: 'an aliasPattern uses lookahead (not RE2)',
      input: body({ event: { type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '(?=prod)' } }),
      error: { message: 'event.aliasPattern: invalid regular expression (error parsing regexp: invalid or unsupported Perl syntax: `(?=`)', details: [{ field: 'event.aliasPattern' }] },
    },
    {
      what: 'a tagPattern uses a backreference (not RE2)',
      input: body({ event: { type: 'ADD_ARTIFACT_TAG', tagPattern: '(a)\\1' } }),
      error: { message: 'event.tagPattern: invalid regular expression (error parsing regexp: invalid escape sequence: `\\1`)', details: [{ field: 'event.tagPattern' }] },
    },
    {
      what: 'a tagPattern is too complex',
      input: body({ event: { type: 'ADD_ARTIFACT_TAG', tagPattern: '[\\s\\S]{1000}'.repeat(3) } }),
      error: { message: 'event.tagPattern: invalid regular expression (pattern too complex)', details: [{ field: 'event.tagPattern' }] },
    },
    {
      what: 'an aliasPattern is longer than 256 characters',
      input: body({ event: { type: 'ADD_ARTIFACT_ALIAS', aliasPattern: 'p'.repeat(257) } }),
      error: { message: 'event.aliasPattern: must be at most 256 characters' },
    },
    {
      what: 'the webhook does not exist',
      input: body({ action: { type: 'WEBHOOK', webhookId: 'wh_nope' } }),
      error: { message: 'action.webhookId: webhook wh_nope does not exist', details: [{ field: 'action.webhookId', message: 'webhook wh_nope does not exist' }] },
    },
    {
      what: 'the webhook is another team’s',
      input: body({ action: { type: 'WEBHOOK', webhookId: 'wh_other' } }),
      error: { message: 'action.webhookId: webhook wh_other does not exist' },
    },
    {
      what: 'the template uses an unknown variable',
      input: withPayload({ list: ['${artifact_version}', { deep: '${nope}' }] }),
      error: { message: 'action.payload: unknown variable ${nope}', details: [{ field: 'action.payload', message: 'unknown variable ${nope}' }] },
    },
    {
      what: 'a template given as JSON text uses an unknown variable',
      input: withPayload('{"a": "${nope}"}'),
      error: { message: 'action.payload: unknown variable ${nope}' },
    },
    {
      what: 'a template given as text is not JSON',
      input: withPayload('version=${artifact_version}'),
      error: { message: expect.stringMatching(/^action\.payload: not valid JSON \(/), details: [{ field: 'action.payload' }] },
    },
    {
      what: 'the template uses ${ACCESS_TOKEN} and the webhook has no access token',
      input: withPayload({ token: '${ACCESS_TOKEN}' }),
      error: { message: 'action.payload: unknown variable ${ACCESS_TOKEN}' },
    },
    {
      what: 'the template names a team secret that is not the webhook’s signing secret',
      input: withPayload({ token: '${TOKEN}' }),
      error: { message: 'action.payload: unknown variable ${TOKEN}' },
    },
    {
      what: 'the template names a signing secret and the webhook has none',
      input: withPayload({ key: '${HMAC_KEY}' }, 'wh_token'),
      error: { message: 'action.payload: unknown variable ${HMAC_KEY}' },
    },
    {
      what: `the template is over MAX_TEMPLATE_BYTES (${MAX_TEMPLATE_BYTES}) as JSON`,
      input: withPayload(overLimit),
      error: { message: `action.payload: must be at most ${MAX_TEMPLATE_BYTES} bytes of JSON`, details: [{ field: 'action.payload', message: `must be at most ${MAX_TEMPLATE_BYTES} bytes of JSON` }] },
    },
    { what: 'the body has an unknown field', input: body({ owner: 'alice' }), error: { message: 'owner: unknown field' } },
    { what: 'the name is blank', input: body({ name: '   ' }), error: { message: 'name: must not be empty' } },
    { what: 'there is no event', input: body({ event: undefined }), error: { message: 'event: is required' } },
    { what: 'the action is not a webhook', input: body({ action: { type: 'EMAIL', webhookId: 'wh_1' } }), error: { message: 'action.type: must be "WEBHOOK"' } },
  ])('$what', async ({ input, error }) => {
    const deps = await setup();
    await createAutomation(deps, TEAM, body({ name: 'existing' }));
    await expectRefusedWithoutChange(deps, () => createAutomation(deps, TEAM, input), { kind: 'invalid', ...error });
  });
});

describe('a create is accepted when', () => {
  test.each([
    { what: 'an aliasPattern is set on ADD_ARTIFACT_ALIAS', input: body({ event: { type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '^prod(uction)?$' } }) },
    { what: 'a tagPattern is set on ADD_ARTIFACT_TAG', input: body({ event: { type: 'ADD_ARTIFACT_TAG', tagPattern: 'gold' } }) },
    { what: 'the template uses ${ACCESS_TOKEN} and the webhook has an access token', input: withPayload({ token: '${ACCESS_TOKEN}' }, 'wh_token') },
    { what: 'the template names the webhook’s signing secret', input: withPayload({ key: '${HMAC_KEY}' }) },
    { what: 'the template uses metadata variables', input: withPayload({ accuracy: '${artifact_metadata.accuracy}' }) },
    { what: `the template is exactly MAX_TEMPLATE_BYTES (${MAX_TEMPLATE_BYTES}) as JSON`, input: withPayload({ x: 'a'.repeat(MAX_TEMPLATE_BYTES - 8) }) },
  ])('$what', async ({ input }) => {
    const deps = await setup();

    const created = await createAutomation(deps, TEAM, input);

    expect(created).toEqual({ id: expect.stringMatching(AU_ID), description: '', enabled: true, ...input, createdAt: T0, updatedAt: T0 });
    expect(await deps.automations.list(TEAM)).toEqual([{ ...created, team: TEAM }]);
  });
});

describe('PATCH', () => {
  const T1 = '2025-01-01T00:00:01.000Z';

  /**
   * Deps with one automation: ADD_ARTIFACT_ALIAS of churn-model matching ^prod, to wh_token,
   * with a template (JSON text, by default) using the access token.
   */
  async function setupWithAutomation(payload: unknown = '{"token": "${ACCESS_TOKEN}"}') {
    const deps = await setup();
    const created = await createAutomation(deps, TEAM, {
      name: 'promote',
      description: 'on promotion',
      event: { type: 'ADD_ARTIFACT_ALIAS', collection: 'churn-model', aliasPattern: '^prod' },
      action: { type: 'WEBHOOK', webhookId: 'wh_token', payload },
    });
    deps.clock.advance(1000);
    return { deps, created };
  }

  test('merges event and action into the stored ones: a field given replaces, a field left out stays', async () => {
    const { deps, created } = await setupWithAutomation();

    const updated = await updateAutomation(deps, TEAM, created.id, { event: { aliasPattern: '^staging$' }, action: { payload: { alias: '${alias}' } } });

    expect(updated).toEqual({
      ...created,
      event: { type: 'ADD_ARTIFACT_ALIAS', collection: 'churn-model', aliasPattern: '^staging$' },
      action: { type: 'WEBHOOK', webhookId: 'wh_token', payload: { alias: '${alias}' } },
      updatedAt: T1,
    });
    expect(await deps.automations.list(TEAM)).toEqual([{ ...updated, team: TEAM }]);
  });

  test('null removes an optional field of event and action (payload: back to the default) and clears the description', async () => {
    const { deps, created } = await setupWithAutomation();

    await updateAutomation(deps, TEAM, created.id, { description: null, event: { collection: null, aliasPattern: null }, action: { payload: null } });

    expect(await deps.automations.get(TEAM, created.id)).toStrictEqual(
      automationRecord(deps, created.id, { name: 'promote', event: { type: 'ADD_ARTIFACT_ALIAS' }, action: { type: 'WEBHOOK', webhookId: 'wh_token' }, createdAt: T0 }),
    );
  });

  test('top-level fields replace the stored ones; id, createdAt and updatedAt are accepted and ignored', async () => {
    const { deps, created } = await setupWithAutomation();

    const updated = await updateAutomation(deps, TEAM, created.id, { id: 'au_other', createdAt: 'then', updatedAt: 'now', name: ' renamed ', enabled: false });

    expect(updated).toEqual({ ...created, name: 'renamed', enabled: false, updatedAt: T1 });
    expect(await deps.automations.list(TEAM)).toEqual([{ ...updated, team: TEAM }]);
  });

  test('a PATCH of another field keeps a stored template that is a JSON object', async () => {
    const { deps, created } = await setupWithAutomation({ token: '${ACCESS_TOKEN}' });

    const updated = await updateAutomation(deps, TEAM, created.id, { name: 'renamed' });

    expect(updated).toEqual({ ...created, name: 'renamed', updatedAt: T1 });
    expect(await deps.automations.list(TEAM)).toEqual([{ ...updated, team: TEAM }]);
  });

  test('a change that is only valid as a whole is accepted as a whole: new type, its pattern removed', async () => {
    const { deps, created } = await setupWithAutomation();

    const updated = await updateAutomation(deps, TEAM, created.id, { event: { type: 'LINK_ARTIFACT', aliasPattern: null } });

    expect(updated.event).toStrictEqual({ type: 'LINK_ARTIFACT', collection: 'churn-model' });
  });

  test.each([
    { what: 'a new type leaves the stored aliasPattern behind', patch: { event: { type: 'LINK_ARTIFACT' } }, message: 'event.aliasPattern: only applies to ADD_ARTIFACT_ALIAS' },
    { what: 'a tagPattern is added to an alias automation', patch: { event: { tagPattern: 'gold' } }, message: 'event.tagPattern: only applies to ADD_ARTIFACT_TAG, REMOVE_ARTIFACT_TAG, ADD_COLLECTION_TAG, REMOVE_COLLECTION_TAG' },
    { what: 'the new pattern does not compile', patch: { event: { aliasPattern: '[' } }, message: 'event.aliasPattern: invalid regular expression (error parsing regexp: missing closing ]: `[`)' },
    { what: 'a move to a webhook without access token leaves ${ACCESS_TOKEN} behind', patch: { action: { webhookId: 'wh_1' } }, message: 'action.payload: unknown variable ${ACCESS_TOKEN}' },
    { what: 'the new webhook does not exist', patch: { action: { webhookId: 'wh_nope' } }, message: 'action.webhookId: webhook wh_nope does not exist' },
    { what: 'the new template uses an unknown variable', patch: { action: { payload: { x: '${nope}' } } }, message: 'action.payload: unknown variable ${nope}' },
    { what: 'the new template is over MAX_TEMPLATE_BYTES', patch: { action: { payload: { x: 'a'.repeat(MAX_TEMPLATE_BYTES) } } }, message: `action.payload: must be at most ${MAX_TEMPLATE_BYTES} bytes of JSON` },
    { what: 'the name is blank', patch: { name: '' }, message: 'name: must not be empty' },
    { what: 'the event has an unknown field', patch: { event: { colour: 'red' } }, message: 'event.colour: unknown field' },
    { what: 'the body is not an object', patch: [], message: 'body: must be a JSON object' },
  ])('is refused, and nothing changed, when $what', async ({ patch, message }) => {
    const { deps, created } = await setupWithAutomation();
    await expectRefusedWithoutChange(deps, () => updateAutomation(deps, TEAM, created.id, patch), { kind: 'invalid', message });
  });

  test('an unknown id, or another team’s, is not-found and changes nothing', async () => {
    const { deps } = await setupWithAutomation();
    const theirs = automationRecord(deps, 'au_theirs', { team: 'other', action: { type: 'WEBHOOK', webhookId: 'wh_other' } });
    await deps.automations.put(theirs);

    await expectRefusedWithoutChange(deps, () => updateAutomation(deps, TEAM, 'au_nope', { name: 'x' }), { kind: 'not-found', message: 'automation not found' });
    await expectRefusedWithoutChange(deps, () => updateAutomation(deps, TEAM, theirs.id, { name: 'x' }), { kind: 'not-found', message: 'automation not found' });
    expect(await deps.automations.get('other', theirs.id)).toEqual(theirs);
  });
});
