/**
 * Keys and secrets of the management API (api.md, "Keys" and "Secrets"), over real HTTP
 * against local mode as deployed (no WEBHOOK_ALLOW_HOSTS; see support/management.ts):
 * - keys: create (the key is shown once and works), defaults, delete (the key stops working),
 *   and refused bodies;
 * - secrets: PUT creates then updates, values are never returned, name and value rules,
 *   concurrent PUTs, DELETE refused while a webhook uses the secret, members read only.
 * Every refused request must change nothing.
 */
import { client, expectError, unique, type Client } from '../support/api-session';
import type { LocalModeProcess } from '../support/local-mode';
import { ids, startAsDeployed, T, TIMESTAMP, type AsDeployed } from '../support/management';

describe('keys and secrets (local mode as deployed: no WEBHOOK_ALLOW_HOSTS)', () => {
  let deployed: AsDeployed;
  let local: LocalModeProcess, admin: Client, member: Client, snapshot: AsDeployed['snapshot'];
  beforeAll(async () => ({ local, admin, member, snapshot } = deployed = await startAsDeployed()));
  afterAll(() => deployed?.stop());

  describe('keys', () => {
    test('create → 201 with the key shown once; it works; the list never shows key values', async () => {
      const made = await admin.post(`${T}/keys`, { role: 'member', name: 'ci' });
      expect(made.status).toBe(201);
      expect(made.body).toEqual({ id: expect.any(String), name: 'ci', role: 'member', key: expect.stringMatching(/^[A-Za-z0-9_-]{20,200}$/), createdAt: expect.stringMatching(TIMESTAMP) });
      expect((await client(local.baseUrl, made.body.key).get(`${T}/webhooks`)).status).toBe(200);

      const listed = await admin.get(`${T}/keys`);
      expect(listed.status).toBe(200);
      const item = listed.body.items.find((candidate: { id: string }) => candidate.id === made.body.id);
      expect(item).toEqual({ id: made.body.id, name: 'ci', role: 'member', createdAt: made.body.createdAt });
      for (const entry of listed.body.items) expect(Object.keys(entry).sort()).toEqual(['createdAt', 'id', 'name', 'role']);
      expect(listed.text).not.toContain(made.body.key);
      expect(listed.text).not.toContain(local.adminKey);
    });

    test('name defaults; an admin key can be made', async () => {
      const made = await admin.post(`${T}/keys`, { role: 'admin' });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ role: 'admin', name: expect.any(String) });
      expect((await client(local.baseUrl, made.body.key).post(`${T}/keys`, { role: 'member' })).status).toBe(201);
    });

    test('name: null means the default name, like leaving it out', async () => {
      const absent = await admin.post(`${T}/keys`, { role: 'member' });
      const nulled = await admin.post(`${T}/keys`, { role: 'member', name: null });
      expect([absent.status, nulled.status]).toEqual([201, 201]);
      expect(nulled.body.name).toBe(absent.body.name);
    });

    test('delete → 204, the key then gets 401, and it is gone from the list', async () => {
      const made = await admin.post(`${T}/keys`, { role: 'admin', name: 'to-delete' });
      const doomed = client(local.baseUrl, made.body.key);
      expect((await doomed.get(`${T}/keys`)).status).toBe(200);
      const deleted = await admin.delete(`${T}/keys/${made.body.id}`);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expectError(await doomed.get(`${T}/keys`), 401, 'UNAUTHENTICATED');
      expectError(await doomed.get(`${T}/webhooks`), 401, 'UNAUTHENTICATED');
      expect(ids(await admin.get(`${T}/keys`))).not.toContain(made.body.id);
      expectError(await admin.delete(`${T}/keys/${made.body.id}`), 404, 'NOT_FOUND');
    });

    test.each([
      ['an unknown role', { role: 'owner' }],
      ['the registry role (CLI only)', { role: 'registry' }],
      ['no role', { name: 'x' }],
      ['an empty name', { role: 'member', name: '  ' }],
      ['an unknown field', { role: 'member', team: 'other' }],
    ])('%s → 400, nothing stored', async (_, body) => {
      const before = await snapshot();
      expectError(await admin.post(`${T}/keys`, body), 400, 'VALIDATION_FAILED');
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('secrets', () => {
    test('PUT → 201, PUT again → 200; names and times only, values never returned', async () => {
      const first = await admin.put(`${T}/secrets/DEPLOY_TOKEN`, { value: 'first-value-8d7f' });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({ name: 'DEPLOY_TOKEN', createdAt: expect.stringMatching(TIMESTAMP), updatedAt: expect.stringMatching(TIMESTAMP) });
      const second = await admin.put(`${T}/secrets/DEPLOY_TOKEN`, { value: 'second-value-3c2b' });
      expect(second.status).toBe(200);
      expect(second.body).toEqual({ name: 'DEPLOY_TOKEN', createdAt: first.body.createdAt, updatedAt: expect.stringMatching(TIMESTAMP) });
      expect(second.body.updatedAt >= first.body.updatedAt).toBe(true);

      const listed = await member.get(`${T}/secrets`);
      expect(listed.status).toBe(200);
      expect(listed.body.items).toContainEqual({ name: 'DEPLOY_TOKEN', createdAt: first.body.createdAt, updatedAt: second.body.updatedAt });
      for (const item of listed.body.items) expect(Object.keys(item).sort()).toEqual(['createdAt', 'name', 'updatedAt']);
      for (const answer of [first, second, listed]) {
        expect(answer.text).not.toContain('first-value-8d7f');
        expect(answer.text).not.toContain('second-value-3c2b');
      }
    });

    test.each([
      ['a dash', 'HAS-DASH'],
      ['a dot', 'has.dot'],
      ['a space', 'has space'],
      ['a non-ASCII letter', 'CLÉ'],
      ['65 characters', 'A'.repeat(65)],
    ])('a name with %s → 400, nothing stored', async (_, name) => {
      const before = await snapshot();
      expectError(await admin.put(`${T}/secrets/${encodeURIComponent(name)}`, { value: 'v' }), 400, 'VALIDATION_FAILED');
      expectError(await admin.delete(`${T}/secrets/${encodeURIComponent(name)}`), 400, 'VALIDATION_FAILED');
      expect(await snapshot()).toEqual(before);
    });

    test('concurrent PUTs of a new secret: exactly one 201, the rest 200', async () => {
      const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => admin.put(`${T}/secrets/RACED`, { value: `raced-${i}` })));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 201]);
      expect((await admin.get(`${T}/secrets`)).body.items.filter((item: { name: string }) => item.name === 'RACED')).toHaveLength(1);
    });

    test('64 characters of [A-Za-z0-9_] is a valid name', async () => {
      const name = `a_Z_9${'x'.repeat(59)}`;
      expect((await admin.put(`${T}/secrets/${name}`, { value: 'v' })).status).toBe(201);
      expect((await admin.delete(`${T}/secrets/${name}`)).status).toBe(204);
    });

    test.each([
      ['an empty value', { value: '' }],
      ['a number', { value: 42 }],
      ['no value', {}],
      ['an unknown field', { value: 'v', description: 'x' }],
    ])('%s → 400, nothing stored', async (_, body) => {
      const before = await snapshot();
      expectError(await admin.put(`${T}/secrets/NEW_SECRET`, body), 400, 'VALIDATION_FAILED');
      expect(await snapshot()).toEqual(before);
    });

    test('DELETE → 409 while a webhook uses it (as secret or access token), 204 after', async () => {
      await admin.put(`${T}/secrets/SIGNING`, { value: 'signing-value' });
      await admin.put(`${T}/secrets/TOKEN`, { value: 'token-value' });
      const hook = await admin.post(`${T}/webhooks`, { name: unique('uses-secrets'), url: 'https://ci.example.com/hook', secret: 'SIGNING', accessToken: 'TOKEN' });
      expect(hook.status).toBe(201);
      expectError(await admin.delete(`${T}/secrets/SIGNING`), 409, 'CONFLICT');
      expectError(await admin.delete(`${T}/secrets/TOKEN`), 409, 'CONFLICT');
      expect((await admin.get(`${T}/secrets`)).body.items.map((item: { name: string }) => item.name)).toEqual(expect.arrayContaining(['SIGNING', 'TOKEN']));

      expect((await admin.patch(`${T}/webhooks/${hook.body.id}`, { secret: null })).status).toBe(200);
      expect((await admin.delete(`${T}/secrets/SIGNING`)).status).toBe(204);
      expectError(await admin.delete(`${T}/secrets/TOKEN`), 409, 'CONFLICT');
      expect((await admin.delete(`${T}/webhooks/${hook.body.id}`)).status).toBe(204);
      expect((await admin.delete(`${T}/secrets/TOKEN`)).status).toBe(204);
      const names = (await admin.get(`${T}/secrets`)).body.items.map((item: { name: string }) => item.name);
      expect(names).not.toContain('SIGNING');
      expect(names).not.toContain('TOKEN');
      expectError(await admin.delete(`${T}/secrets/TOKEN`), 404, 'NOT_FOUND');
    });

    test('members may list but not change secrets', async () => {
      expectError(await member.put(`${T}/secrets/MEMBER_SECRET`, { value: 'v' }), 403, 'FORBIDDEN');
      expectError(await member.delete(`${T}/secrets/HMAC_KEY`), 403, 'FORBIDDEN');
    });
  });
});
