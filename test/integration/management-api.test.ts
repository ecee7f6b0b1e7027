/**
 * The management API over real HTTP against local mode (api.md): keys, secrets, webhooks and
 * their URL rules, automations, events and their filters, the webhook test route, and the
 * error answers. Every refused request must change nothing.
 *
 * Two local modes: `strict` runs as deployed (no WEBHOOK_ALLOW_HOSTS), so the URL rules are
 * checked in full; `dev` exempts 127.0.0.1 so that events and test POSTs reach a recording
 * receiver on loopback. No request ever leaves the machine: webhooks with public host names
 * live only in `strict`, where no event or test POST is ever sent.
 */
import { createHmac } from 'node:crypto';
import { client, expectError, registryEvent, unique, type Client } from './support/api-session';
import { waitFor, type ApiAnswer } from './support/http';
import { createKeyWithCli } from './support/keys-cli';
import { removeDataDir, startLocalMode, type LocalModeProcess } from './support/local-mode';
import { startReceiver, type ReceivedRequest, type Receiver } from './support/receiver';

const TEAM = 'demo';
const T = `/teams/${TEAM}`;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

async function stopLocal(local: LocalModeProcess | undefined) {
  if (!local) return;
  await local.stop();
  removeDataDir(local.dataDir);
}

/** Ids of a list answer's items. */
function ids(answer: ApiAnswer): string[] {
  return answer.body.items.map((item: { id?: string; name?: string }) => item.id ?? item.name);
}

// ─────────────────────────────────────────────────────────────────────────────────────────
describe('configuration (local mode as deployed: no WEBHOOK_ALLOW_HOSTS)', () => {
  let local: LocalModeProcess;
  let admin: Client;
  let member: Client;
  let anonymous: Client;

  /** Everything a refused request must leave as it was. */
  async function snapshot() {
    const [keys, secrets, webhooks, automations] = await Promise.all([admin.get(`${T}/keys`), admin.get(`${T}/secrets`), admin.get(`${T}/webhooks`), admin.get(`${T}/automations`)]);
    return { keys: keys.body, secrets: secrets.body, webhooks: webhooks.body, automations: automations.body };
  }

  beforeAll(async () => {
    local = await startLocalMode();
    admin = client(local.baseUrl, local.adminKey);
    anonymous = client(local.baseUrl, undefined);
    const made = await admin.post(`${T}/keys`, { role: 'member', name: 'reader' });
    expect(made.status).toBe(201);
    member = client(local.baseUrl, made.body.key);
    for (const name of ['HMAC_KEY', 'GH_TOKEN', 'OTHER_SECRET']) expect((await admin.put(`${T}/secrets/${name}`, { value: `value-of-${name}` })).status).toBe(201);
  });

  afterAll(() => stopLocal(local));

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

  describe('webhooks', () => {
    test('create 201, get 200, list, patch 200, delete 204, then 404', async () => {
      const name = unique('deploy-hook');
      const created = await admin.post(`${T}/webhooks`, { name, url: 'https://ci.example.com/hooks/wandb', secret: 'HMAC_KEY', accessToken: 'GH_TOKEN' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String), name, url: 'https://ci.example.com/hooks/wandb', secret: 'HMAC_KEY', accessToken: 'GH_TOKEN',
        createdAt: expect.stringMatching(TIMESTAMP), updatedAt: created.body.createdAt,
      });
      const id = created.body.id;
      expect((await member.get(`${T}/webhooks/${id}`)).body).toEqual(created.body);
      expect((await member.get(`${T}/webhooks`)).body.items).toContainEqual(created.body);

      const patched = await admin.patch(`${T}/webhooks/${id}`, { url: 'https://ci.example.com/v2', accessToken: 'OTHER_SECRET' });
      expect(patched.status).toBe(200);
      expect(patched.body).toEqual({ ...created.body, url: 'https://ci.example.com/v2', accessToken: 'OTHER_SECRET', updatedAt: expect.stringMatching(TIMESTAMP) });
      expect((await admin.get(`${T}/webhooks/${id}`)).body).toEqual(patched.body);

      const deleted = await admin.delete(`${T}/webhooks/${id}`);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expectError(await admin.get(`${T}/webhooks/${id}`), 404, 'NOT_FOUND');
      expect(ids(await admin.get(`${T}/webhooks`))).not.toContain(id);
    });

    test('an unknown id → 404 on get, patch, delete and test', async () => {
      expectError(await admin.get(`${T}/webhooks/wh_unknown`), 404, 'NOT_FOUND');
      expectError(await admin.patch(`${T}/webhooks/wh_unknown`, { name: 'x' }), 404, 'NOT_FOUND');
      expectError(await admin.delete(`${T}/webhooks/wh_unknown`), 404, 'NOT_FOUND');
      expectError(await admin.post(`${T}/webhooks/wh_unknown/test`, {}), 404, 'NOT_FOUND');
    });

    test('a duplicate name → 409; a rename to a taken name → 409; both change nothing', async () => {
      const first = await admin.post(`${T}/webhooks`, { name: 'taken-name', url: 'https://ci.example.com/1' });
      const second = await admin.post(`${T}/webhooks`, { name: 'free-name', url: 'https://ci.example.com/2' });
      expect([first.status, second.status]).toEqual([201, 201]);
      const before = await snapshot();
      expectError(await admin.post(`${T}/webhooks`, { name: 'taken-name', url: 'https://ci.example.com/3' }), 409, 'CONFLICT');
      expectError(await admin.patch(`${T}/webhooks/${second.body.id}`, { name: 'taken-name', url: 'https://ci.example.com/changed' }), 409, 'CONFLICT');
      expect(await snapshot()).toEqual(before);

      // A rename frees the old name; renaming to its own name is fine.
      expect((await admin.patch(`${T}/webhooks/${first.body.id}`, { name: 'renamed-name' })).status).toBe(200);
      expect((await admin.patch(`${T}/webhooks/${first.body.id}`, { name: 'renamed-name' })).status).toBe(200);
      const reuse = await admin.post(`${T}/webhooks`, { name: 'taken-name', url: 'https://ci.example.com/4' });
      expect(reuse.status).toBe(201);
      // Deleting frees a name too.
      expect((await admin.delete(`${T}/webhooks/${reuse.body.id}`)).status).toBe(204);
      expect((await admin.patch(`${T}/webhooks/${second.body.id}`, { name: 'taken-name' })).status).toBe(200);
    });

    test('concurrent creates with one name: exactly one 201, the rest 409', async () => {
      const name = unique('race');
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => admin.post(`${T}/webhooks`, { name, url: `https://ci.example.com/${i}` })));
      expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      const listed = (await admin.get(`${T}/webhooks`)).body.items.filter((hook: { name: string }) => hook.name === name);
      expect(listed).toHaveLength(1);
    });

    test('an unknown secret or access token → 400 naming it, nothing stored', async () => {
      const before = await snapshot();
      const secret = await admin.post(`${T}/webhooks`, { name: unique('h'), url: 'https://ci.example.com/', secret: 'NO_SUCH_SECRET' });
      expectError(secret, 400, 'VALIDATION_FAILED');
      expect(secret.body.error.message).toContain('NO_SUCH_SECRET');
      const token = await admin.post(`${T}/webhooks`, { name: unique('h'), url: 'https://ci.example.com/', accessToken: 'NO_SUCH_TOKEN' });
      expectError(token, 400, 'VALIDATION_FAILED');
      expect(token.body.error.message).toContain('NO_SUCH_TOKEN');
      expectError(await admin.post(`${T}/webhooks`, { name: unique('h'), url: 'https://ci.example.com/', secret: 'bad-name' }), 400, 'VALIDATION_FAILED');
      expect(await snapshot()).toEqual(before);
    });

    test('PATCH null removes the secret and the access token; bad patches change nothing', async () => {
      const hook = await admin.post(`${T}/webhooks`, { name: unique('nullable'), url: 'https://ci.example.com/', secret: 'HMAC_KEY', accessToken: 'GH_TOKEN' });
      const before = await snapshot();
      for (const patch of [{ secret: 'NOPE' }, { accessToken: 'NOPE' }, { url: 'http://10.0.0.1/' }, { name: '' }, { url: null }, { colour: 'red' }]) {
        expectError(await admin.patch(`${T}/webhooks/${hook.body.id}`, patch), 400, 'VALIDATION_FAILED');
      }
      expect(await snapshot()).toEqual(before);

      const removed = await admin.patch(`${T}/webhooks/${hook.body.id}`, { secret: null, accessToken: null });
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({ secret: null, accessToken: null, url: 'https://ci.example.com/' });
      expect((await admin.get(`${T}/webhooks/${hook.body.id}`)).body).toMatchObject({ secret: null, accessToken: null });
      // An empty patch is a no-op that still answers the webhook.
      expect((await admin.patch(`${T}/webhooks/${hook.body.id}`, {})).body).toMatchObject({ id: hook.body.id, secret: null });
    });

    test('GET then PATCH of the whole webhook works: id, createdAt and updatedAt are accepted and ignored', async () => {
      const hook = await admin.post(`${T}/webhooks`, { name: unique('round-trip'), url: 'https://ci.example.com/round', secret: 'HMAC_KEY' });
      const read = (await admin.get(`${T}/webhooks/${hook.body.id}`)).body;
      const answer = await admin.patch(`${T}/webhooks/${hook.body.id}`, { ...read, url: 'https://ci.example.com/round-2' });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ ...read, url: 'https://ci.example.com/round-2', updatedAt: expect.stringMatching(TIMESTAMP) });
      // Other values in the read-only fields change nothing either.
      const forged = await admin.patch(`${T}/webhooks/${hook.body.id}`, { id: 'wh_other', createdAt: '2000-01-01T00:00:00.000Z', updatedAt: 'x' });
      expect(forged.status).toBe(200);
      expect(forged.body).toMatchObject({ id: hook.body.id, createdAt: hook.body.createdAt });
      expect((await admin.get(`${T}/webhooks/wh_other`)).status).toBe(404);
      // Any other unknown field is still refused.
      const before = await snapshot();
      expectError(await admin.patch(`${T}/webhooks/${hook.body.id}`, { ...read, team: 'other' }), 400, 'VALIDATION_FAILED');
      expect(await snapshot()).toEqual(before);
    });

    test('an access token whose value cannot be an HTTP header value → 400 naming the secret, never the value', async () => {
      const bad: Array<[string, string]> = [['TOKEN_CRLF', 'tok-a1\r\nX-Injected: yes'], ['TOKEN_LF', 'tok-b2\n'], ['TOKEN_NUL', 'tok\u0000c3'], ['TOKEN_DEL', 'tok\u007fd4'], ['TOKEN_EURO', 'tok-\u20ac-e5']];
      for (const [name, value] of bad) expect((await admin.put(`${T}/secrets/${name}`, { value })).status).toBe(201);
      expect((await admin.put(`${T}/secrets/TOKEN_LATIN1`, { value: 'caf\u00e9-token\tok' })).status).toBe(201);
      const hook = await admin.post(`${T}/webhooks`, { name: unique('header-safe'), url: 'https://ci.example.com/' });
      const before = await snapshot();
      for (const [name, value] of bad) {
        const created = await admin.post(`${T}/webhooks`, { name: unique('bad-token'), url: 'https://ci.example.com/', accessToken: name });
        expectError(created, 400, 'VALIDATION_FAILED');
        expect(created.body.error.message).toBe(`accessToken: secret ${name} holds characters not allowed in an HTTP header`);
        const patched = await admin.patch(`${T}/webhooks/${hook.body.id}`, { accessToken: name });
        expectError(patched, 400, 'VALIDATION_FAILED');
        expect(patched.body.error.message).toBe(`accessToken: secret ${name} holds characters not allowed in an HTTP header`);
        for (const answer of [created, patched]) expect(answer.text).not.toContain(value.slice(0, 6));
      }
      expect(await snapshot()).toEqual(before);
      // The signing secret may hold anything (it only feeds the HMAC); Latin-1 and tabs are header-safe.
      const signing = await admin.post(`${T}/webhooks`, { name: unique('signing-any'), url: 'https://ci.example.com/', secret: 'TOKEN_CRLF', accessToken: 'TOKEN_LATIN1' });
      expect(signing.status).toBe(201);
      // A secret in use as an access token cannot be given such a value either; unused ones can.
      const rotated = await admin.put(`${T}/secrets/TOKEN_LATIN1`, { value: 'new\r\nvalue' });
      expectError(rotated, 400, 'VALIDATION_FAILED');
      expect(rotated.text).not.toContain('new\\r');
      expect((await admin.put(`${T}/secrets/TOKEN_CRLF`, { value: 'still\r\nfine-for-signing' })).status).toBe(200);
      expect((await admin.delete(`${T}/webhooks/${signing.body.id}`)).status).toBe(204);
      expect((await admin.delete(`${T}/webhooks/${hook.body.id}`)).status).toBe(204);
    });

    test('DELETE → 409 while an automation uses it, 204 once the automation is gone', async () => {
      const hook = await admin.post(`${T}/webhooks`, { name: unique('in-use'), url: 'https://ci.example.com/' });
      const automation = await admin.post(`${T}/automations`, { name: 'uses-hook', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: hook.body.id } });
      expect(automation.status).toBe(201);
      expectError(await admin.delete(`${T}/webhooks/${hook.body.id}`), 409, 'CONFLICT');
      expect((await admin.get(`${T}/webhooks/${hook.body.id}`)).status).toBe(200);
      // Disabled still counts as using it.
      expect((await admin.patch(`${T}/automations/${automation.body.id}`, { enabled: false })).status).toBe(200);
      expectError(await admin.delete(`${T}/webhooks/${hook.body.id}`), 409, 'CONFLICT');
      expect((await admin.delete(`${T}/automations/${automation.body.id}`)).status).toBe(204);
      expect((await admin.delete(`${T}/webhooks/${hook.body.id}`)).status).toBe(204);
    });

    test('members may read but not change webhooks', async () => {
      const hook = await admin.post(`${T}/webhooks`, { name: unique('read-only'), url: 'https://ci.example.com/' });
      expect((await member.get(`${T}/webhooks/${hook.body.id}`)).status).toBe(200);
      expectError(await member.post(`${T}/webhooks`, { name: unique('m'), url: 'https://ci.example.com/' }), 403, 'FORBIDDEN');
      expectError(await member.patch(`${T}/webhooks/${hook.body.id}`, { name: 'x' }), 403, 'FORBIDDEN');
      expectError(await member.delete(`${T}/webhooks/${hook.body.id}`), 403, 'FORBIDDEN');
      expectError(await member.post(`${T}/webhooks/${hook.body.id}/test`, {}), 403, 'FORBIDDEN');
      expectError(await anonymous.get(`${T}/webhooks`), 401, 'UNAUTHENTICATED');
    });
  });

  describe('webhook URL rules (architecture.md, Security rules)', () => {
    const BAD_URLS: Array<[string, unknown]> = [
      ['loopback', 'http://127.0.0.1/hook'],
      ['loopback, short form', 'http://127.1/hook'],
      ['loopback, decimal', 'http://2130706433/hook'],
      ['loopback, hex', 'http://0x7f000001/hook'],
      ['loopback, octal', 'http://0177.0.0.1/hook'],
      ['loopback, hex octet and short', 'http://0x7f.1/hook'],
      ['loopback, percent-encoded', 'http://%31%32%37.0.0.1/hook'],
      ['loopback, full-width digits', 'http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/hook'],
      ['loopback with a port', 'https://127.0.0.1:8443/hook'],
      ['the unspecified address', 'http://0.0.0.0/'],
      ['the unspecified address, short', 'http://0/'],
      ['private 10/8', 'http://10.0.0.5/hook'],
      ['private 172.16/12', 'http://172.16.0.1/hook'],
      ['private 192.168/16', 'http://192.168.1.1/hook'],
      ['CGNAT', 'http://100.64.0.1/hook'],
      ['metadata', 'http://169.254.169.254/latest/meta-data/'],
      ['metadata, decimal', 'http://2852039166/latest/meta-data/'],
      ['metadata, hex', 'http://0xa9fea9fe/latest/meta-data/'],
      ['metadata, octal', 'http://0251.0376.0251.0376/latest/meta-data/'],
      ['metadata, short form', 'http://169.254.43518/latest/meta-data/'],
      ['a public IP literal', 'https://8.8.8.8/hook'],
      ['IPv6 loopback', 'http://[::1]/hook'],
      ['IPv6 loopback, long form', 'http://[0:0:0:0:0:0:0:1]/hook'],
      ['IPv6 unspecified', 'http://[::]/hook'],
      ['IPv6 link-local', 'http://[fe80::1]/hook'],
      ['IPv6 ULA (EC2 metadata)', 'http://[fd00:ec2::254]/latest/meta-data/'],
      ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook'],
      ['IPv4-mapped loopback, hex', 'http://[::ffff:7f00:1]/hook'],
      ['IPv4-mapped metadata', 'http://[::ffff:a9fe:a9fe]/latest/meta-data/'],
      ['localhost', 'http://localhost/hook'],
      ['localhost, upper case with port', 'http://LOCALHOST:8080/hook'],
      ['localhost, trailing dot', 'http://localhost./hook'],
      ['a name under localhost', 'http://api.localhost/hook'],
      ['localhost in Unicode look-alikes', 'http://\u24dbocalhost/hook'],
      ['a single-label host', 'http://intranet/hook'],
      ['an empty host', 'http:///hook'],
      ['a .internal name', 'http://metadata.google.internal/computeMetadata/v1/'],
      ['a .local name', 'http://printer.local/hook'],
      ['a reverse-DNS name', 'http://1.0.0.127.in-addr.arpa/hook'],
      ['user info', 'https://user:pass@ci.example.com/hook'],
      ['a user name only', 'https://user@ci.example.com/hook'],
      ['a password only', 'https://:secret@ci.example.com/hook'],
      ['user info hiding an IP', 'https://ci.example.com@127.0.0.1/hook'],
      ['user info looking like a host', 'http://127.0.0.1:80@ci.example.com/hook'],
      ['ftp', 'ftp://ci.example.com/hook'],
      ['file', 'file:///etc/passwd'],
      ['javascript', 'javascript:alert(1)'],
      ['gopher', 'gopher://ci.example.com:70/_hello'],
      ['ws', 'ws://ci.example.com/hook'],
      ['data', 'data:text/plain,hello'],
      ['no scheme', 'ci.example.com/hook'],
      ['an invalid port', 'https://ci.example.com:99999/hook'],
      ['an empty string', ''],
      ['over 2048 characters', `https://ci.example.com/${'a'.repeat(2048)}`],
      ['not a string', 42],
    ];

    test('the table has at least 30 bad URLs', () => {
      expect(BAD_URLS.length).toBeGreaterThanOrEqual(30);
    });

    test.each(BAD_URLS)('%s → 400 VALIDATION_FAILED, nothing stored', async (_, url) => {
      const before = await admin.get(`${T}/webhooks`);
      const answer = await admin.post(`${T}/webhooks`, { name: unique('bad-url'), url });
      expectError(answer, 400, 'VALIDATION_FAILED');
      expect(answer.body.error.message).toMatch(/^url: /);
      expect((await admin.get(`${T}/webhooks`)).body).toEqual(before.body);
    });

    test('a bad URL is refused on PATCH too, and the webhook keeps its URL', async () => {
      const hook = await admin.post(`${T}/webhooks`, { name: unique('patch-url'), url: 'https://ci.example.com/hook' });
      for (const [, url] of BAD_URLS.slice(0, 30)) {
        expectError(await admin.patch(`${T}/webhooks/${hook.body.id}`, { url }), 400, 'VALIDATION_FAILED');
      }
      expect((await admin.get(`${T}/webhooks/${hook.body.id}`)).body).toEqual(hook.body);
    });

    test.each([
      ['https://ci.example.com/hook'],
      ['http://hooks.example.org:8080/path?x=1&y=2'],
      ['https://HOOKS.Example.COM/Path'],
      ['HTTP://EXAMPLE.COM'],
      ['http://hooks.example.org:4799'],
      ['https://api.github.com/repos/acme/ml/dispatches'],
      ['https://b\u00fccher.example/hook'],
      ['https://ci.example.com/a%20b?q=%C3%A9'],
    ])('%s is accepted and stored exactly as sent (create, read, PATCH)', async (url) => {
      const answer = await admin.post(`${T}/webhooks`, { name: unique('good-url'), url });
      expect(answer.status).toBe(201);
      expect(answer.body.url).toBe(url);
      expect((await admin.get(`${T}/webhooks/${answer.body.id}`)).body.url).toBe(url);
      const other = await admin.post(`${T}/webhooks`, { name: unique('patched-url'), url: 'https://ci.example.com/before' });
      expect((await admin.patch(`${T}/webhooks/${other.body.id}`, { url })).body.url).toBe(url);
    });

    test.each([
      ['a leading space', ' https://ci.example.com/hook'],
      ['a trailing newline', 'https://ci.example.com/hook\n'],
      ['a tab inside the host', 'https://ci.exa\tmple.com/hook'],
      ['a space in the path', 'https://ci.example.com/a b'],
    ])('a URL with %s (which the parser would silently drop or rewrite) → 400, nothing stored', async (_, url) => {
      const before = await snapshot();
      const answer = await admin.post(`${T}/webhooks`, { name: unique('invisible'), url });
      expectError(answer, 400, 'VALIDATION_FAILED');
      expect(answer.body.error.message).toBe('url: must not contain whitespace or control characters');
      expect(await snapshot()).toEqual(before);
    });
  });

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
      ['an unknown event field', { type: 'LINK_ARTIFACT', project: 'x' }],
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

  describe('error answers', () => {
    const MAX = 256 * 1024;
    /** A createWebhook body of exactly `size` bytes (its name is too long, so it is a 400 if read). */
    const bodyOfSize = (size: number) => {
      const frame = '{"name":"","url":"https://ci.example.com/"}';
      return `{"name":"${'n'.repeat(size - frame.length)}","url":"https://ci.example.com/"}`;
    };

    const REFUSED: Array<[string, number, string, string, string, { body?: unknown; rawBody?: string; contentType?: string }]> = [
      ['a body of 256 KiB + 1 byte', 413, 'PAYLOAD_TOO_LARGE', 'POST', '/webhooks', { rawBody: bodyOfSize(MAX + 1) }],
      ['a body of 2 MiB', 413, 'PAYLOAD_TOO_LARGE', 'POST', '/webhooks', { rawBody: bodyOfSize(2 * 1024 * 1024) }],
      ['a large secret value', 413, 'PAYLOAD_TOO_LARGE', 'PUT', '/secrets/BIG', { body: { value: 'v'.repeat(MAX) } }],
      ['text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE', 'POST', '/webhooks', { rawBody: JSON.stringify({ name: 'x', url: 'https://ci.example.com/' }), contentType: 'text/plain' }],
      ['a form', 415, 'UNSUPPORTED_MEDIA_TYPE', 'POST', '/automations', { rawBody: 'name=x', contentType: 'application/x-www-form-urlencoded' }],
      ['XML', 415, 'UNSUPPORTED_MEDIA_TYPE', 'PUT', '/secrets/XML', { rawBody: '<value>x</value>', contentType: 'application/xml' }],
      ['multipart', 415, 'UNSUPPORTED_MEDIA_TYPE', 'POST', '/keys', { rawBody: '--b\r\n\r\n--b--', contentType: 'multipart/form-data; boundary=b' }],
      ['truncated JSON', 400, 'INVALID_JSON', 'POST', '/webhooks', { rawBody: '{"name":"x","url":' }],
      ['single quotes', 400, 'INVALID_JSON', 'POST', '/automations', { rawBody: "{'name':'x'}" }],
      ['a trailing comma', 400, 'INVALID_JSON', 'PUT', '/secrets/JSON', { rawBody: '{"value":"x",}' }],
      ['not JSON at all', 400, 'INVALID_JSON', 'POST', '/keys', { rawBody: 'role=admin' }],
      ['an unknown webhook field', 400, 'VALIDATION_FAILED', 'POST', '/webhooks', { body: { name: 'x', url: 'https://ci.example.com/', headers: { a: 'b' } } }],
      ['an unknown secret field', 400, 'VALIDATION_FAILED', 'PUT', '/secrets/EXTRA', { body: { value: 'x', name: 'EXTRA' } }],
      ['an array body', 400, 'VALIDATION_FAILED', 'POST', '/webhooks', { body: [{ name: 'x', url: 'https://ci.example.com/' }] }],
      ['a string body', 400, 'VALIDATION_FAILED', 'POST', '/automations', { body: 'hello' }],
      ['a null body', 400, 'VALIDATION_FAILED', 'PUT', '/secrets/NULL', { body: null }],
      ['a name of the wrong type', 400, 'VALIDATION_FAILED', 'POST', '/webhooks', { body: { name: 7, url: 'https://ci.example.com/' } }],
      ['a bad deliveries limit', 400, 'VALIDATION_FAILED', 'GET', '/deliveries?limit=500', {}],
      ['a bad deliveries status', 400, 'VALIDATION_FAILED', 'GET', '/deliveries?status=lost', {}],
      ['a forged deliveries cursor', 400, 'VALIDATION_FAILED', 'GET', '/deliveries?cursor=bm90LWEtY3Vyc29y', {}],
    ];

    test.each(REFUSED)('%s → %i %s, and nothing changes', async (_, status, code, method, path, options) => {
      const before = await snapshot();
      expectError(await admin.send(method, `${T}${path}`, options), status, code);
      expect(await snapshot()).toEqual(before);
    });

    test('the connection survives refused large bodies (keep-alive clients do not hang)', async () => {
      // 4 MiB is read to its end and dropped; 12 MiB (past API Gateway's own 10 MB) is cut off.
      for (const size of [4, 12, 4, 12]) {
        expectError(await admin.send('POST', `${T}/webhooks`, { rawBody: bodyOfSize(size * 1024 * 1024) }), 413, 'PAYLOAD_TOO_LARGE');
        const reads = await Promise.all([1, 2, 3, 4].map(() => admin.get(`${T}/webhooks`)));
        expect(reads.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
      }
    });

    test('a body of exactly 256 KiB is read (and then validated)', async () => {
      const answer = await admin.send('POST', `${T}/webhooks`, { rawBody: bodyOfSize(MAX) });
      expectError(answer, 400, 'VALIDATION_FAILED');
      expect(answer.body.error.message).toMatch(/^name: /);
    });

    test('application/json with a charset, and +json types, are JSON', async () => {
      const name = unique('charset');
      const answer = await admin.send('POST', `${T}/webhooks`, { rawBody: JSON.stringify({ name, url: 'https://ci.example.com/' }), contentType: 'application/json; charset=utf-8' });
      expect(answer.status).toBe(201);
      const vendor = await admin.send('POST', `${T}/webhooks`, { rawBody: JSON.stringify({ name: unique('vendor'), url: 'https://ci.example.com/' }), contentType: 'application/vnd.registry+json' });
      expect(vendor.status).toBe(201);
    });

    test.each([
      ['an array', '[]'],
      ['an array of the right object', '[{"name":"x","url":"https://ci.example.com/"}]'],
      ['a string', '"x"'],
      ['a number', '1'],
      ['null', 'null'],
      ['true', 'true'],
    ])('a body that is %s, not a JSON object → 400 "body: must be a JSON object" on every route with a body', async (_, rawBody) => {
      const hook = (await admin.get(`${T}/webhooks`)).body.items[0].id;
      const automationId = (await admin.get(`${T}/automations`)).body.items[0].id;
      const before = await snapshot();
      for (const [method, path] of [
        ['POST', '/webhooks'], ['PATCH', `/webhooks/${hook}`], ['POST', '/automations'], ['PATCH', `/automations/${automationId}`],
        ['PUT', '/secrets/BODY_SHAPE'], ['POST', '/keys'], ['POST', '/events'], ['POST', `/webhooks/${hook}/test`],
      ]) {
        const answer = await admin.send(method, `${T}${path}`, { rawBody });
        expectError(answer, 400, 'VALIDATION_FAILED');
        expect({ method, path, message: answer.body.error.message }).toEqual({ method, path, message: 'body: must be a JSON object' });
      }
      expect(await snapshot()).toEqual(before);
    });

    test('an unknown field is named in the message', async () => {
      const answer = await admin.post(`${T}/webhooks`, { name: 'x', url: 'https://ci.example.com/', colour: 'red' });
      expectError(answer, 400, 'VALIDATION_FAILED');
      expect(answer.body.error.message).toContain('colour');
      expect(answer.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'colour' })]));
    });

    test('unknown paths and methods answer in the error shape too', async () => {
      expectError(await admin.get(`${T}/nothing-here`), 404, 'NOT_FOUND');
      expectError(await admin.send('PUT', `${T}/webhooks`), 405, 'METHOD_NOT_ALLOWED');
    });
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────
describe('events and the test route (dev local mode: 127.0.0.1 exempt, a receiver on loopback)', () => {
  const HMAC_VALUE = 'hmac-value-Xq7"\\-2f9c';
  const TOKEN_VALUE = 'gh-token-value-71b3a9e4';
  let local: LocalModeProcess;
  let receiver: Receiver;
  let failingReceiver: Receiver;
  let admin: Client;
  let registry: Client;
  let signedHook: string;
  let plainHook: string;
  let failingHook: string;

  const signature = (body: string) => createHmac('sha256', HMAC_VALUE).update(body, 'utf8').digest('base64');
  const received = (deliveryId: string): ReceivedRequest[] => receiver.requests.filter((request) => request.headers['x-wandb-delivery'] === deliveryId);

  /** Waits until the receiver got the delivery and the log shows it succeeded; returns both. */
  async function delivered(deliveryId: string) {
    const log = await waitFor(async () => {
      const answer = await admin.get(`${T}/deliveries/${deliveryId}`);
      return answer.body.status === 'succeeded' ? answer.body : undefined;
    }, { what: `delivery ${deliveryId} to succeed` });
    const requests = received(deliveryId);
    expect(requests).toHaveLength(1);
    return { log, request: requests[0], body: JSON.parse(requests[0].body) };
  }

  /** Creates an automation and returns its id. */
  async function automation(body: Record<string, unknown>): Promise<string> {
    const answer = await admin.post(`${T}/automations`, { name: unique('auto'), ...body });
    expect(answer.status).toBe(201);
    return answer.body.id;
  }

  async function report(event: Record<string, unknown>) {
    const answer = await registry.post(`${T}/events`, event);
    expect([200, 202]).toContain(answer.status);
    return answer;
  }

  beforeAll(async () => {
    receiver = await startReceiver({ status: 200, body: 'ok' });
    failingReceiver = await startReceiver({ status: 500, body: 'receiver exploded' });
    local = await startLocalMode({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', RETRY_SCHEDULE: '600' } });
    admin = client(local.baseUrl, local.adminKey);
    registry = client(local.baseUrl, local.registryKey);
    expect((await admin.put(`${T}/secrets/HMAC_KEY`, { value: HMAC_VALUE })).status).toBe(201);
    expect((await admin.put(`${T}/secrets/GH_TOKEN`, { value: TOKEN_VALUE })).status).toBe(201);
    signedHook = (await admin.post(`${T}/webhooks`, { name: 'signed', url: `${receiver.url}/signed`, secret: 'HMAC_KEY', accessToken: 'GH_TOKEN' })).body.id;
    plainHook = (await admin.post(`${T}/webhooks`, { name: 'plain', url: `${receiver.url}/plain` })).body.id;
    failingHook = (await admin.post(`${T}/webhooks`, { name: 'failing', url: `${failingReceiver.url}/down`, secret: 'HMAC_KEY' })).body.id;
  });

  afterAll(async () => {
    await stopLocal(local);
    await receiver?.close();
    await failingReceiver?.close();
  });

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
    const byDelivery = new Map<string, number>();
    for (const request of receiver.requests) {
      const id = String(request.headers['x-wandb-delivery']);
      if (id.startsWith('dlv_')) byDelivery.set(id, (byDelivery.get(id) ?? 0) + 1);
    }
    expect(byDelivery.size).toBeGreaterThan(5);
    expect([...byDelivery.entries()].filter(([, count]) => count !== 1)).toEqual([]);
  });
});
