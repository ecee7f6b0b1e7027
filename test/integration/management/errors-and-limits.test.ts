/**
 * The management API's error answers (api.md, "Errors"), over real HTTP against local mode as
 * deployed (see support/management.ts): body size limits (413, and the connection surviving
 * refused large bodies), content types (415), malformed JSON, bodies that are not JSON
 * objects on every route with a body, unknown fields, bad query parameters, unknown paths and
 * methods. Every answer has the error shape, and every refused request changes nothing.
 */
import { expectError, unique, type Client } from '../support/api-session';
import { startAsDeployed, T, type AsDeployed } from '../support/management';

describe('error answers (local mode as deployed: no WEBHOOK_ALLOW_HOSTS)', () => {
  let deployed: AsDeployed;
  let admin: Client, snapshot: AsDeployed['snapshot'];
  beforeAll(async () => {
    ({ admin, snapshot } = deployed = await startAsDeployed());
    // The routes on one webhook or automation need one to exist.
    const hook = await admin.post(`${T}/webhooks`, { name: 'existing', url: 'https://ci.example.com/existing' });
    expect(hook.status).toBe(201);
    expect((await admin.post(`${T}/automations`, { name: 'existing', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: hook.body.id } })).status).toBe(201);
  });
  afterAll(() => deployed?.stop());

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
      ['an unknown webhook field', 400, 'VALIDATION_FAILED', 'POST', '/webhooks', { body: { name: 'x', url: 'https://ci.example.com/', colour: 'blue' } }],
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
