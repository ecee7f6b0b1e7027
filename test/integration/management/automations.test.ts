/**
 * Automations of the management API (api.md, "Automations"), over real HTTP against local
 * mode as deployed (see support/management.ts): every event type, event filters and their
 * patterns (RE2 only), payload templates (variables, secrets the webhook has, JSON text, the
 * 32 KiB limit), null as absent, PATCH (any field, merging event and action, validated as a
 * whole), GET-then-PATCH round trips, DELETE. Every refused request must change nothing.
 * Events firing automations are in events.test.ts.
 */
import { expectError, unique, type Client } from '../support/api-session';
import { ids, startAsDeployed, T, TIMESTAMP, type AsDeployed } from '../support/management';

describe('automations (local mode as deployed: no WEBHOOK_ALLOW_HOSTS)', () => {
  let deployed: AsDeployed;
  let admin: Client, member: Client, snapshot: AsDeployed['snapshot'];
  beforeAll(async () => ({ admin, member, snapshot } = deployed = await startAsDeployed()));
  afterAll(() => deployed?.stop());

  describe('automations', () => {
    let hookId: string;
    let signedHookId: string;

    beforeAll(async () => {
      hookId = (await admin.post(`${T}/webhooks`, { name: unique('automation-target'), url: 'https://ci.example.com/automations' })).body.id;
      signedHookId = (await admin.post(`${T}/webhooks`, { name: unique('signed-target'), url: 'https://ci.example.com/signed', secret: 'HMAC_KEY', accessToken: 'GH_TOKEN' })).body.id;
    });

    const action = (payload?: unknown, webhookId?: string) => ({ type: 'WEBHOOK', webhookId: webhookId ?? hookId, ...(payload === undefined ? {} : { payload }) });

    /** Creation refused with 400 and nothing stored; returns the error message. */
    async function refused(body: Record<string, unknown>): Promise<string> {
      const before = await snapshot();
      const answer = await admin.post(`${T}/automations`, body);
      expectError(answer, 400, 'VALIDATION_FAILED');
      expect(await snapshot()).toEqual(before);
      return answer.body.error.message;
    }

    test.each(['LINK_ARTIFACT', 'UNLINK_ARTIFACT', 'ADD_ARTIFACT_ALIAS', 'ADD_ARTIFACT_TAG'])('event type %s → 201 with the stored automation', async (type) => {
      const created = await admin.post(`${T}/automations`, { name: `on-${type}`, event: { type }, action: action() });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String), name: `on-${type}`, description: '', enabled: true, event: { type }, action: { type: 'WEBHOOK', webhookId: hookId },
        createdAt: expect.stringMatching(TIMESTAMP), updatedAt: created.body.createdAt,
      });
      expect((await member.get(`${T}/automations/${created.body.id}`)).body).toEqual(created.body);
      expect((await member.get(`${T}/automations`)).body.items).toContainEqual(created.body);
    });

    test('the api.md example, with a collection filter and a payload', async () => {
      const body = {
        name: 'deploy-on-link', description: 'Kick off CI when a model version is linked', enabled: true,
        event: { type: 'LINK_ARTIFACT', collection: 'churn-model' },
        action: { type: 'WEBHOOK', webhookId: hookId, payload: { event_type: 'BUILD_AND_DEPLOY', client_payload: { artifact_version_string: '${artifact_version_string}' } } },
      };
      const created = await admin.post(`${T}/automations`, body);
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ ...body, id: expect.any(String), createdAt: expect.stringMatching(TIMESTAMP), updatedAt: expect.stringMatching(TIMESTAMP) });
    });

    test('alias and tag patterns on their own event types are accepted', async () => {
      const alias = await admin.post(`${T}/automations`, { name: 'alias', event: { type: 'ADD_ARTIFACT_ALIAS', collection: 'm', aliasPattern: '^prod(uction)?$' }, action: action() });
      expect(alias.status).toBe(201);
      expect(alias.body.event).toEqual({ type: 'ADD_ARTIFACT_ALIAS', collection: 'm', aliasPattern: '^prod(uction)?$' });
      const tag = await admin.post(`${T}/automations`, { name: 'tag', event: { type: 'ADD_ARTIFACT_TAG', tagPattern: 'release-\\d+' }, action: action() });
      expect(tag.status).toBe(201);
      expect(tag.body.event.tagPattern).toBe('release-\\d+');
    });

    test.each([
      ['an unclosed group', { type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '(prod' }],
      ['an unclosed class', { type: 'ADD_ARTIFACT_TAG', tagPattern: '[a-' }],
      ['a lookahead', { type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '^(?=prod)' }],
      ['a negative lookahead', { type: 'ADD_ARTIFACT_TAG', tagPattern: '^(?!nightly)' }],
      ['a lookbehind', { type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '(?<=v)1' }],
      ['a backreference', { type: 'ADD_ARTIFACT_TAG', tagPattern: '(a)\\1' }],
      ['a pattern over 256 characters', { type: 'ADD_ARTIFACT_TAG', tagPattern: 'a'.repeat(257) }],
      ['aliasPattern on LINK_ARTIFACT', { type: 'LINK_ARTIFACT', aliasPattern: 'prod' }],
      ['aliasPattern on ADD_ARTIFACT_TAG', { type: 'ADD_ARTIFACT_TAG', aliasPattern: 'prod' }],
      ['tagPattern on ADD_ARTIFACT_ALIAS', { type: 'ADD_ARTIFACT_ALIAS', tagPattern: 'release' }],
      ['tagPattern on UNLINK_ARTIFACT', { type: 'UNLINK_ARTIFACT', tagPattern: 'release' }],
      ['an unknown event type', { type: 'DELETE_ARTIFACT' }],
      ['an empty collection', { type: 'LINK_ARTIFACT', collection: '' }],
      ['an unknown event field', { type: 'LINK_ARTIFACT', registry: 'x' }],
      ['an empty project', { type: 'LINK_ARTIFACT', project: '' }],
    ])('an event filter with %s → 400, nothing stored', async (_, event) => {
      const message = await refused({ name: 'bad-filter', event, action: action() });
      expect(message).toMatch(/^event\./);
    });

    test.each([
      ['an unknown variable', { text: '${nope}' }, 'nope'],
      ['an unknown variable deep inside', { a: [{ b: 'x ${artifact_versionn} y' }] }, 'artifact_versionn'],
      ['an unknown variable in JSON text', '{"a":"${event_kind}"}', 'event_kind'],
      ['${ACCESS_TOKEN} on a webhook without one', { token: '${ACCESS_TOKEN}' }, 'ACCESS_TOKEN'],
      ['a secret the webhook does not sign with', { s: '${OTHER_SECRET}' }, 'OTHER_SECRET'],
      ['JSON text that is not JSON', '{"a":', 'JSON'],
      ['JSON text that is plain text', 'deploy please', 'JSON'],
    ])('a payload with %s → 400 naming it, nothing stored', async (_, payload, named) => {
      const message = await refused({ name: 'bad-payload', event: { type: 'LINK_ARTIFACT' }, action: action(payload) });
      expect(message).toContain(named);
      expect(message).toMatch(/^action\.payload: /);
    });

    test('a bad template is named by its field, action.payload, in the message and the details', async () => {
      const answer = await admin.post(`${T}/automations`, { name: 'bad-template', event: { type: 'LINK_ARTIFACT' }, action: action({ a: '${nope}' }) });
      expectError(answer, 400, 'VALIDATION_FAILED');
      expect(answer.body.error.message).toBe('action.payload: unknown variable ${nope}');
      expect(answer.body.error.details).toEqual([{ field: 'action.payload', message: 'unknown variable ${nope}' }]);
      const patched = await admin.patch(`${T}/automations/${(await admin.post(`${T}/automations`, { name: 'ok-template', event: { type: 'LINK_ARTIFACT' }, action: action() })).body.id}`, { action: { payload: '{"a":' } });
      expectError(patched, 400, 'VALIDATION_FAILED');
      expect(patched.body.error.message).toMatch(/^action\.payload: not valid JSON/);
    });

    test('null on an optional create field means absent: description, collection, patterns, payload', async () => {
      const created = await admin.post(`${T}/automations`, {
        name: 'nulls', description: null, enabled: null,
        event: { type: 'ADD_ARTIFACT_ALIAS', collection: null, aliasPattern: null, tagPattern: null },
        action: { type: 'WEBHOOK', webhookId: hookId, payload: null },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String), name: 'nulls', description: '', enabled: true, event: { type: 'ADD_ARTIFACT_ALIAS' },
        action: { type: 'WEBHOOK', webhookId: hookId }, createdAt: expect.stringMatching(TIMESTAMP), updatedAt: created.body.createdAt,
      });
      expect((await admin.get(`${T}/automations/${created.body.id}`)).body).toEqual(created.body);
      // `null` is still not a value for required fields.
      await refused({ name: null, event: { type: 'LINK_ARTIFACT' }, action: action() });
      await refused({ name: 'x', event: { type: null }, action: action() });
      await refused({ name: 'x', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: null } });
    });

    test.each([
      ['an unknown webhook', { name: 'x', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: 'wh_unknown' } }],
      ['an unknown action type', { name: 'x', event: { type: 'LINK_ARTIFACT' }, action: { type: 'EMAIL', webhookId: 'wh_unknown' } }],
      ['no event', { name: 'x', action: { type: 'WEBHOOK', webhookId: 'wh_unknown' } }],
      ['no name', { event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: 'wh_unknown' } }],
      ['enabled as a string', { name: 'x', enabled: 'yes', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: 'wh_unknown' } }],
      ['an unknown field', { name: 'x', owner: 'me', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: 'wh_unknown' } }],
      ['an unknown action field', { name: 'x', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: 'wh_unknown', url: 'https://x.example/' } }],
    ])('%s → 400, nothing stored', async (_, body) => {
      await refused(body);
    });

    test('a payload template over 32 KiB → 400, nothing stored', async () => {
      const message = await refused({ name: 'huge', event: { type: 'LINK_ARTIFACT' }, action: action({ blob: 'x'.repeat(40 * 1024) }) });
      expect(message).toMatch(/^action\.payload: /);
    });

    test('secret variables are accepted on a webhook that has them; JSON text payloads are kept as given', async () => {
      const secretPayload = { token: '${ACCESS_TOKEN}', signature_key: '${HMAC_KEY}', v: '${artifact_version}', m: '${artifact_metadata.accuracy}' };
      const withSecrets = await admin.post(`${T}/automations`, { name: 'secret-vars', event: { type: 'LINK_ARTIFACT' }, action: action(secretPayload, signedHookId) });
      expect(withSecrets.status).toBe(201);
      expect(withSecrets.body.action.payload).toEqual(secretPayload);

      const text = '{"event_type":"BUILD","client_payload":{"v":"${artifact_version_string}","n":[1,2.5,true,null]}}';
      const asText = await admin.post(`${T}/automations`, { name: 'text-payload', event: { type: 'LINK_ARTIFACT' }, action: action(text) });
      expect(asText.status).toBe(201);
      expect(asText.body.action.payload).toBe(text);
      expect((await admin.get(`${T}/automations/${asText.body.id}`)).body.action.payload).toBe(text);

      for (const value of [42, 'null', ['${alias}', '${tag}'], '"just ${alias}"']) {
        const scalar = await admin.post(`${T}/automations`, { name: 'json-values', event: { type: 'LINK_ARTIFACT' }, action: action(value) });
        expect({ value, status: scalar.status }).toEqual({ value, status: 201 });
        expect(scalar.body.action.payload).toEqual(value);
      }
    });

    test('PATCH any field → 200 and the change sticks; invalid patches change nothing', async () => {
      const created = await admin.post(`${T}/automations`, { name: 'patch-me', event: { type: 'LINK_ARTIFACT' }, action: action({ a: '${alias}' }) });
      const id = created.body.id;
      const patches: Array<[Record<string, unknown>, Record<string, unknown>]> = [
        [{ name: 'patched' }, { name: 'patched' }],
        [{ description: 'new words' }, { description: 'new words' }],
        [{ enabled: false }, { enabled: false }],
        [{ enabled: true }, { enabled: true }],
        [{ event: { type: 'ADD_ARTIFACT_TAG', collection: 'fraud-model', tagPattern: '^v\\d' } }, { event: { type: 'ADD_ARTIFACT_TAG', collection: 'fraud-model', tagPattern: '^v\\d' } }],
        [{ action: action({ t: '${ACCESS_TOKEN}' }, signedHookId) }, { action: { type: 'WEBHOOK', webhookId: signedHookId, payload: { t: '${ACCESS_TOKEN}' } } }],
        [{ action: { webhookId: hookId, payload: null } }, { action: { type: 'WEBHOOK', webhookId: hookId } }],
      ];
      let current = created.body;
      for (const [patch, expected] of patches) {
        const answer = await admin.patch(`${T}/automations/${id}`, patch);
        expect({ patch, status: answer.status }).toEqual({ patch, status: 200 });
        expect(answer.body).toEqual({ ...current, ...expected, updatedAt: expect.stringMatching(TIMESTAMP) });
        expect((await admin.get(`${T}/automations/${id}`)).body).toEqual(answer.body);
        current = answer.body;
      }

      const before = await snapshot();
      for (const patch of [
        { event: { type: 'LINK_ARTIFACT', tagPattern: 'x' } }, // the stored pattern no longer fits the type
        { action: action({ t: '${ACCESS_TOKEN}' }) }, // that webhook has no access token
        { action: action(undefined, 'wh_unknown') },
        { enabled: 'no' },
        { name: '' },
        { owner: 'me' },
        { event: null },
        { action: { type: 'EMAIL' } },
        { action: { url: 'https://ci.example.com/' } },
        { event: { type: null } },
      ]) {
        expectError(await admin.patch(`${T}/automations/${id}`, patch), 400, 'VALIDATION_FAILED');
      }
      expect(await snapshot()).toEqual(before);
      expectError(await admin.patch(`${T}/automations/au_unknown`, { enabled: true }), 404, 'NOT_FOUND');
    });

    test('PATCH merges event and action into the stored ones; null removes their optional fields', async () => {
      const created = await admin.post(`${T}/automations`, {
        name: 'merge-me', event: { type: 'ADD_ARTIFACT_ALIAS', collection: 'merge-model', aliasPattern: '^prod$' },
        action: { type: 'WEBHOOK', webhookId: signedHookId, payload: { t: '${ACCESS_TOKEN}' } },
      });
      expect(created.status).toBe(201);
      const id = created.body.id;
      const steps: Array<[Record<string, unknown>, Record<string, unknown>, Record<string, unknown>]> = [
        [{ action: { payload: { v: '${artifact_version}' } } }, { type: 'ADD_ARTIFACT_ALIAS', collection: 'merge-model', aliasPattern: '^prod$' }, { type: 'WEBHOOK', webhookId: signedHookId, payload: { v: '${artifact_version}' } }],
        [{ event: { collection: 'other-model' } }, { type: 'ADD_ARTIFACT_ALIAS', collection: 'other-model', aliasPattern: '^prod$' }, { type: 'WEBHOOK', webhookId: signedHookId, payload: { v: '${artifact_version}' } }],
        [{ event: { collection: null } }, { type: 'ADD_ARTIFACT_ALIAS', aliasPattern: '^prod$' }, { type: 'WEBHOOK', webhookId: signedHookId, payload: { v: '${artifact_version}' } }],
        [{ event: { aliasPattern: null } }, { type: 'ADD_ARTIFACT_ALIAS' }, { type: 'WEBHOOK', webhookId: signedHookId, payload: { v: '${artifact_version}' } }],
        [{ event: { type: 'ADD_ARTIFACT_TAG', tagPattern: 'release' } }, { type: 'ADD_ARTIFACT_TAG', tagPattern: 'release' }, { type: 'WEBHOOK', webhookId: signedHookId, payload: { v: '${artifact_version}' } }],
        [{ action: { webhookId: hookId } }, { type: 'ADD_ARTIFACT_TAG', tagPattern: 'release' }, { type: 'WEBHOOK', webhookId: hookId, payload: { v: '${artifact_version}' } }],
        [{ action: { payload: null } }, { type: 'ADD_ARTIFACT_TAG', tagPattern: 'release' }, { type: 'WEBHOOK', webhookId: hookId }],
        [{ description: 'words' }, { type: 'ADD_ARTIFACT_TAG', tagPattern: 'release' }, { type: 'WEBHOOK', webhookId: hookId }],
      ];
      for (const [patch, event, actionAfter] of steps) {
        const answer = await admin.patch(`${T}/automations/${id}`, patch);
        expect({ patch, status: answer.status, event: answer.body.event, action: answer.body.action }).toEqual({ patch, status: 200, event, action: actionAfter });
        expect((await admin.get(`${T}/automations/${id}`)).body).toEqual(answer.body);
      }
      expect((await admin.patch(`${T}/automations/${id}`, { description: null })).body.description).toBe('');

      // The merged result is validated as a whole.
      const before = await snapshot();
      for (const patch of [
        { event: { type: 'LINK_ARTIFACT' } }, // the stored tagPattern does not fit LINK_ARTIFACT
        { action: { payload: { t: '${ACCESS_TOKEN}' } } }, // the stored webhook has no access token
        { event: { collection: '' } },
      ]) {
        expectError(await admin.patch(`${T}/automations/${id}`, patch), 400, 'VALIDATION_FAILED');
      }
      expect(await snapshot()).toEqual(before);
      // Changing the type and dropping the pattern together is fine.
      expect((await admin.patch(`${T}/automations/${id}`, { event: { type: 'LINK_ARTIFACT', tagPattern: null } })).body.event).toEqual({ type: 'LINK_ARTIFACT' });
    });

    test('GET then PATCH of the whole automation works: id, createdAt and updatedAt are accepted and ignored', async () => {
      const created = await admin.post(`${T}/automations`, { name: 'round-trip', event: { type: 'LINK_ARTIFACT', collection: 'rt' }, action: action({ a: '${alias}' }) });
      const read = (await admin.get(`${T}/automations/${created.body.id}`)).body;
      const answer = await admin.patch(`${T}/automations/${created.body.id}`, { ...read, enabled: false });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ ...read, enabled: false, updatedAt: expect.stringMatching(TIMESTAMP) });
      const forged = await admin.patch(`${T}/automations/${created.body.id}`, { id: 'au_other', createdAt: '2000-01-01T00:00:00.000Z' });
      expect(forged.status).toBe(200);
      expect(forged.body).toMatchObject({ id: created.body.id, createdAt: created.body.createdAt });
      expect((await admin.get(`${T}/automations/au_other`)).status).toBe(404);
    });

    test('DELETE → 204, then 404', async () => {
      const created = await admin.post(`${T}/automations`, { name: 'delete-me', event: { type: 'UNLINK_ARTIFACT' }, action: action() });
      expectError(await member.delete(`${T}/automations/${created.body.id}`), 403, 'FORBIDDEN');
      const deleted = await admin.delete(`${T}/automations/${created.body.id}`);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expectError(await admin.get(`${T}/automations/${created.body.id}`), 404, 'NOT_FOUND');
      expectError(await admin.delete(`${T}/automations/${created.body.id}`), 404, 'NOT_FOUND');
      expect(ids(await admin.get(`${T}/automations`))).not.toContain(created.body.id);
    });
  });
});
