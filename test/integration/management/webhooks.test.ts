/**
 * Webhooks of the management API (api.md, "Webhooks"), over real HTTP against local mode as
 * deployed (no WEBHOOK_ALLOW_HOSTS; see support/management.ts), so the URL rules apply in full:
 * - CRUD, unknown ids, unique names (also under concurrent creates), secret and access token
 *   references (unknown ones, PATCH null, header-unsafe token values), GET-then-PATCH round
 *   trips, DELETE refused while an automation uses the webhook, members read only;
 * - the webhook URL rules (architecture.md, "Security rules"): a table of bad URLs refused on
 *   create and PATCH, good URLs stored exactly as sent, whitespace and control characters.
 * Every refused request must change nothing. No request is ever sent to these webhooks.
 */
import { expectError, unique, type Client } from '../support/api-session';
import { ids, startAsDeployed, T, TIMESTAMP, type AsDeployed } from '../support/management';

describe('webhooks (local mode as deployed: no WEBHOOK_ALLOW_HOSTS)', () => {
  let deployed: AsDeployed;
  let admin: Client, member: Client, anonymous: Client, snapshot: AsDeployed['snapshot'];
  beforeAll(async () => ({ admin, member, anonymous, snapshot } = deployed = await startAsDeployed()));
  afterAll(() => deployed?.stop());

  describe('webhooks', () => {
    test('create 201, get 200, list, patch 200, delete 204, then 404', async () => {
      const name = unique('deploy-hook');
      const created = await admin.post(`${T}/webhooks`, { name, url: 'https://ci.example.com/hooks/wandb', secret: 'HMAC_KEY', accessToken: 'GH_TOKEN' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String), name, url: 'https://ci.example.com/hooks/wandb', secret: 'HMAC_KEY', accessToken: 'GH_TOKEN',
        enabled: true, disabledReason: null, disabledAt: null, failingSince: null, rateLimit: null, headers: {},
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
});
