/**
 * docs/openapi.json against the route table and against the running API:
 * (a) it is a valid OpenAPI 3.1 document whose paths and methods are exactly lib/routes.ts
 *     (operationId, roles, path parameters, request body, public or not), both ways;
 * (b) a scripted session over real HTTP touches every route, with its success and main error
 *     answers, and every real answer must be documented for its operation and match the
 *     documented schema.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROUTES, type RouteDefinition } from '../../lambdas/handlers/http/routes';
import { registryEvent } from './support/api-session';
import { call, waitFor, type ApiAnswer } from './support/http';
import { removeDataDir, startLocalMode, type LocalModeProcess } from './support/local-mode';
import { HTTP_METHODS, OPENAPI_PATH, OpenApiChecker, loadOpenApi } from './support/openapi';
import { startReceiver, type Receiver } from './support/receiver';

const ROOT = path.resolve(__dirname, '../..');
const doc = loadOpenApi();

describe('the document and the route table', () => {
  test('is a valid OpenAPI 3.1 document', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const cli = path.join(ROOT, 'node_modules/.bin/validate-api');
    let output: string;
    try {
      output = execFileSync(cli, [OPENAPI_PATH], { encoding: 'utf8' });
    } catch (error) {
      throw new Error(`docs/openapi.json is not valid OpenAPI:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
    }
    expect(JSON.parse(output)).toEqual({ valid: true });
  });

  test('every schema compiles (every $ref resolves)', () => {
    expect(() => new OpenApiChecker(doc).compileAll()).not.toThrow();
  });

  test('declares bearer authentication for everything but the public routes', () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
  });

  test.each(ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))('route %s is documented as in the route table', (_, route) => {
    const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
    if (!operation) throw new Error(`docs/openapi.json has no ${route.method} ${route.path} (operation ${route.operation})`);
    expect(operation.operationId).toBe(route.operation);
    expect(operation['x-roles']).toEqual([...route.roles]);
    if (route.roles.length === 0) expect(operation.security).toEqual([]);
    else expect(operation.security).toBeUndefined(); // inherits the document's bearerAuth

    const placeholders = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    const pathParams = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
    expect(pathParams.map((parameter) => parameter.name).sort()).toEqual(placeholders);
    for (const parameter of pathParams) expect(parameter.required).toBe(true);

    expect(operation.requestBody !== undefined).toBe(route.hasBody);
    if (route.hasBody) expect(Object.keys(operation.requestBody!.content)).toEqual(['application/json']);

    const statuses = Object.keys(operation.responses).map(Number);
    expect(statuses.some((status) => status >= 200 && status < 300)).toBe(true);
    if (route.roles.length > 0) expect(statuses).toEqual(expect.arrayContaining([400, 401, 403]));
    if (route.hasBody) expect(statuses).toEqual(expect.arrayContaining([413, 415]));
    for (const [status, response] of Object.entries(operation.responses)) {
      if (Number(status) >= 400) expect(response.$ref ?? '').toMatch(/^#\/components\/responses\//);
    }
  });

  test('documents no path or method that is not in the route table', () => {
    const documented: string[] = [];
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) {
        if (!(HTTP_METHODS as readonly string[]).includes(method)) continue;
        documented.push(`${method.toUpperCase()} ${p}`);
      }
    }
    expect(documented.sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
  });

  test('documents the deliveries list filters as query parameters', () => {
    const list = doc.paths['/teams/{team}/deliveries'].get;
    const query = (list.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
    expect(query.sort()).toEqual(['automationId', 'cursor', 'eventId', 'limit', 'status', 'webhookId']);
  });

  test('the checker refuses undocumented statuses and bodies that break the schema', () => {
    const checker = new OpenApiChecker(doc);
    const webhook = {
      id: 'wh_1', name: 'n', url: 'https://ci.example.com/', secret: null, accessToken: 'TOKEN', enabled: true, disabledReason: null, disabledAt: null, failingSince: null, rateLimit: null, headers: {},
      createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
    };
    expect(checker.check('getWebhook', 200, JSON.stringify(webhook), 'application/json')).toEqual([]);
    expect(checker.check('getWebhook', 200, JSON.stringify({ ...webhook, extra: 'adding fields is fine' }), 'application/json')).toEqual([]);
    expect(checker.check('getWebhook', 418, '{}', 'application/json')[0]).toMatch(/getWebhook answered 418, which the document does not list/);
    const { secret: _secret, ...withoutSecret } = webhook;
    expect(checker.check('getWebhook', 200, JSON.stringify(withoutSecret), 'application/json').join()).toMatch(/must have required property 'secret'/);
    expect(checker.check('getWebhook', 200, JSON.stringify({ ...webhook, createdAt: 'yesterday' }), 'application/json').join()).toMatch(/format/);
    expect(checker.check('getWebhook', 200, JSON.stringify(webhook), 'text/plain').join()).toMatch(/Content-Type/);
    expect(checker.check('deleteWebhook', 204, '{}', null).join()).toMatch(/lists no body/);
    expect(checker.check('listSecrets', 200, JSON.stringify({ items: [{ name: 'A', value: 'leak', createdAt: webhook.createdAt, updatedAt: webhook.createdAt }] }), 'application/json')).not.toEqual([]);
  });

  test('every error response is the api.md error shape', () => {
    const checker = new OpenApiChecker(doc);
    for (const route of ROUTES) {
      for (const status of Object.keys(doc.paths[route.path][route.method.toLowerCase()].responses).map(Number)) {
        if (status < 400) continue;
        const good = JSON.stringify({ error: { code: 'SOME_CODE', message: 'why', details: [{ field: 'url', message: 'bad' }] } });
        expect(checker.check(route.operation, status, good, 'application/json')).toEqual([]);
        const lowercase = JSON.stringify({ error: { code: 'not_upper', message: 'why' } });
        expect(checker.check(route.operation, status, lowercase, 'application/json')).not.toEqual([]);
        expect(checker.check(route.operation, status, JSON.stringify({ message: 'no envelope' }), 'application/json')).not.toEqual([]);
      }
    }
  });
});

describe('the running API answers as documented', () => {
  const TEAM = 'demo';
  let local: LocalModeProcess;
  let okReceiver: Receiver;
  let failingReceiver: Receiver;
  let memberKey: string;
  const checker = new OpenApiChecker(doc);
  /** Every answer of the session, with the operation it came from. */
  const seen: Array<{ operation: string; answer: ApiAnswer }> = [];

  /** Calls a route by its operation name, filling the path from the route table. */
  async function op(operation: string, params: Record<string, string> = {}, options: { key?: string | null; body?: unknown; rawBody?: string; contentType?: string; query?: string } = {}) {
    const route = ROUTES.find((candidate) => candidate.operation === operation) as RouteDefinition;
    if (!route) throw new Error(`no route for operation ${operation}`);
    const concrete = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(name === 'team' ? (params.team ?? TEAM) : params[name]));
    const key = options.key === null ? undefined : (options.key ?? local.adminKey);
    const answer = await call(local.baseUrl, route.method, `${concrete}${options.query ?? ''}`, { key, body: options.body, rawBody: options.rawBody, contentType: options.contentType });
    seen.push({ operation, answer });
    const problems = checker.check(operation, answer.status, answer.text, answer.headers.get('content-type'));
    if (problems.length > 0) throw new Error(`answer does not match docs/openapi.json:\n${problems.join('\n')}`);
    return answer;
  }

  beforeAll(async () => {
    okReceiver = await startReceiver({ status: 200, body: '{"received":true}' });
    failingReceiver = await startReceiver({ status: 500, body: 'receiver is down' });
    // A long retry schedule keeps a failing delivery `retrying`, so redeliver's 409 is deterministic.
    local = await startLocalMode({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', RETRY_SCHEDULE: '600,600' } });
  });

  afterAll(async () => {
    await local?.stop();
    await okReceiver?.close();
    await failingReceiver?.close();
    if (local) removeDataDir(local.dataDir);
  });

  test('health', async () => {
    expect((await op('health', {}, { key: null })).status).toBe(200);
  });

  test('me', async () => {
    expect((await op('me')).body).toMatchObject({ team: TEAM, role: 'admin' });
    expect((await op('me', {}, { key: local.registryKey })).body).toMatchObject({ team: '*', role: 'registry' });
    expect((await op('me', {}, { key: null })).status).toBe(401);
  });

  test('keys', async () => {
    const member = await op('createKey', {}, { body: { role: 'member', name: 'reader' } });
    expect(member.status).toBe(201);
    memberKey = member.body.key;
    const spare = await op('createKey', {}, { body: { role: 'admin' } });
    expect(spare.status).toBe(201);
    expect((await op('createKey', {}, { body: { role: 'owner' } })).status).toBe(400);
    expect((await op('createKey', {}, { rawBody: '{"role":', contentType: 'application/json' })).status).toBe(400);
    expect((await op('createKey', {}, { rawBody: 'role=member', contentType: 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await op('createKey', {}, { body: { role: 'member', name: 'x'.repeat(300 * 1024) } })).status).toBe(413);
    expect((await op('createKey', {}, { key: null, body: { role: 'member' } })).status).toBe(401);
    expect((await op('createKey', {}, { key: memberKey, body: { role: 'admin' } })).status).toBe(403);
    expect((await op('listKeys')).status).toBe(200);
    expect((await op('listKeys', {}, { key: memberKey })).status).toBe(403);
    expect((await op('deleteKey', { id: spare.body.id })).status).toBe(204);
    expect((await op('deleteKey', { id: 'key_missing' })).status).toBe(404);
  });

  test('secrets', async () => {
    expect((await op('putSecret', { name: 'HMAC_KEY' }, { body: { value: 'openapi-signing-secret' } })).status).toBe(201);
    expect((await op('putSecret', { name: 'HMAC_KEY' }, { body: { value: 'openapi-signing-secret-2' } })).status).toBe(200);
    expect((await op('putSecret', { name: 'SPARE' }, { body: { value: 'spare-value' } })).status).toBe(201);
    expect((await op('putSecret', { name: 'bad-name' }, { body: { value: 'x' } })).status).toBe(400);
    expect((await op('putSecret', { name: 'EMPTY' }, { body: { value: '' } })).status).toBe(400);
    expect((await op('listSecrets', {}, { key: memberKey })).status).toBe(200);
    expect((await op('listSecrets', {}, { key: local.registryKey })).status).toBe(403);
    expect((await op('deleteSecret', { name: 'SPARE' })).status).toBe(204);
    expect((await op('deleteSecret', { name: 'SPARE' })).status).toBe(404);
    expect((await op('deleteSecret', { name: 'SPARE' }, { key: memberKey })).status).toBe(403);
  });

  const ids: Record<string, string> = {};

  test('webhooks', async () => {
    const hook = await op('createWebhook', {}, { body: { name: 'ok-hook', url: `${okReceiver.url}/hook`, secret: 'HMAC_KEY' } });
    expect(hook.status).toBe(201);
    ids.okHook = hook.body.id;
    const failing = await op('createWebhook', {}, { body: { name: 'failing-hook', url: `${failingReceiver.url}/hook` } });
    expect(failing.status).toBe(201);
    ids.failingHook = failing.body.id;
    const spare = await op('createWebhook', {}, { body: { name: 'spare-hook', url: 'https://ci.example.com/hook' } });
    expect(spare.status).toBe(201);
    expect((await op('createWebhook', {}, { body: { name: 'ip-hook', url: 'http://169.254.169.254/' } })).status).toBe(400);
    expect((await op('createWebhook', {}, { body: { name: 'ok-hook', url: 'https://ci.example.com/other' } })).status).toBe(409);
    expect((await op('listWebhooks', {}, { key: memberKey })).status).toBe(200);
    expect((await op('listWebhooks', {}, { key: null })).status).toBe(401);
    expect((await op('getWebhook', { id: ids.okHook }, { key: memberKey })).status).toBe(200);
    expect((await op('getWebhook', { id: 'wh_missing' })).status).toBe(404);
    expect((await op('updateWebhook', { id: spare.body.id }, { body: { name: 'spare-hook-2', secret: null } })).status).toBe(200);
    expect((await op('updateWebhook', { id: spare.body.id }, { body: { name: 'ok-hook' } })).status).toBe(409);
    expect((await op('updateWebhook', { id: spare.body.id }, { body: { secret: 'NO_SUCH_SECRET' } })).status).toBe(400);
    expect((await op('updateWebhook', { id: 'wh_missing' }, { body: { name: 'x' } })).status).toBe(404);
    expect((await op('deleteWebhook', { id: spare.body.id })).status).toBe(204);
    expect((await op('deleteWebhook', { id: spare.body.id })).status).toBe(404);
  });

  test('webhook test route', async () => {
    const sent = await op('testWebhook', { id: ids.okHook }, { body: {} });
    expect(sent.status).toBe(200);
    expect(sent.body.ok).toBe(true);
    const custom = await op('testWebhook', { id: ids.okHook }, { body: { payload: { hello: '${event_type}' } } });
    expect(custom.status).toBe(200);
    const failed = await op('testWebhook', { id: ids.failingHook }, { body: {} });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ ok: false, status: 500 });
    expect((await op('testWebhook', { id: ids.okHook }, { body: { payload: '${nope}' } })).status).toBe(400);
    expect((await op('testWebhook', { id: 'wh_missing' }, { body: {} })).status).toBe(404);
  });

  test('webhook recover route', async () => {
    const recovered = await op('recoverWebhook', { id: ids.okHook }, { body: { since: new Date(Date.now() - 3_600_000).toISOString() } });
    expect(recovered.status).toBe(202);
    expect(recovered.body).toEqual({ redelivered: expect.any(Number) });
    expect((await op('recoverWebhook', { id: ids.okHook }, { body: { since: 'then' } })).status).toBe(400);
    expect((await op('recoverWebhook', { id: 'wh_missing' }, { body: { since: new Date(Date.now() - 3_600_000).toISOString() } })).status).toBe(404);
  });

  test('automations', async () => {
    const linked = await op('createAutomation', {}, {
      body: { name: 'on-link', event: { type: 'LINK_ARTIFACT', collection: 'churn-model' }, action: { type: 'WEBHOOK', webhookId: ids.okHook, payload: { v: '${artifact_version_string}' } } },
    });
    expect(linked.status).toBe(201);
    ids.linked = linked.body.id;
    const failing = await op('createAutomation', {}, {
      body: { name: 'on-tag', description: 'always fails', event: { type: 'ADD_ARTIFACT_TAG', tagPattern: '^release-' }, action: { type: 'WEBHOOK', webhookId: ids.failingHook } },
    });
    expect(failing.status).toBe(201);
    const spare = await op('createAutomation', {}, {
      body: { name: 'spare', enabled: false, event: { type: 'UNLINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: ids.okHook, payload: '{"a":"${alias}"}' } },
    });
    expect(spare.status).toBe(201);
    expect((await op('createAutomation', {}, { body: { name: 'bad', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: 'wh_missing' } } })).status).toBe(400);
    expect((await op('listAutomations', {}, { key: memberKey })).status).toBe(200);
    expect((await op('listAutomations', {}, { key: 'rwk_this_key_was_never_issued_000000' })).status).toBe(401);
    expect((await op('getAutomation', { id: ids.linked }, { key: memberKey })).status).toBe(200);
    expect((await op('getAutomation', { id: 'au_missing' })).status).toBe(404);
    expect((await op('updateAutomation', { id: spare.body.id }, { body: { enabled: true, description: 'now on' } })).status).toBe(200);
    expect((await op('updateAutomation', { id: spare.body.id }, { body: { event: { type: 'UNLINK_ARTIFACT', tagPattern: 'x' } } })).status).toBe(400);
    expect((await op('updateAutomation', { id: 'au_missing' }, { body: { enabled: false } })).status).toBe(404);
    expect((await op('deleteAutomation', { id: spare.body.id })).status).toBe(204);
    expect((await op('deleteAutomation', { id: spare.body.id })).status).toBe(404);
    // In use: a secret by a webhook, a webhook by an automation.
    expect((await op('deleteSecret', { name: 'HMAC_KEY' })).status).toBe(409);
    expect((await op('deleteWebhook', { id: ids.okHook })).status).toBe(409);
  });

  test('payload examples', async () => {
    const examples = await op('listPayloadExamples', {}, { key: memberKey });
    expect(examples.status).toBe(200);
    expect((await op('listPayloadExamples', {}, { key: null })).status).toBe(401);
    expect((await op('listPayloadExamples', {}, { key: local.registryKey })).status).toBe(403);
    // Each is accepted as it is, here by an automation scoped to a registry and a type no event below has.
    for (const item of examples.body.items) {
      const created = await op('createAutomation', {}, {
        body: { name: `example-${item.id}`, event: { type: 'REMOVE_COLLECTION_TAG', project: 'other-registry', tagPattern: '^x$' }, action: { type: 'WEBHOOK', webhookId: ids.okHook, payload: item.payload } },
      });
      expect(created.status).toBe(201);
    }
  });

  test('events', async () => {
    const accepted = await op('reportEvent', {}, { key: local.registryKey, body: registryEvent('evt-openapi-1') });
    expect(accepted.status).toBe(202);
    expect(accepted.body.deliveries).toHaveLength(1);
    ids.okDelivery = accepted.body.deliveries[0].id;
    const again = await op('reportEvent', {}, { key: local.registryKey, body: registryEvent('evt-openapi-1') });
    expect(again.status).toBe(200);
    const tagged = await op('reportEvent', {}, { body: registryEvent('evt-openapi-2', { type: 'ADD_ARTIFACT_TAG', tag: 'release-1' }) });
    expect(tagged.status).toBe(202);
    ids.failingDelivery = tagged.body.deliveries[0].id;
    expect((await op('reportEvent', {}, { key: local.registryKey, body: registryEvent('') })).status).toBe(400);
    expect((await op('reportEvent', { team: 'no such team!' }, { key: local.registryKey, body: registryEvent('evt-openapi-4') })).status).toBe(400);
    expect((await op('reportEvent', {}, { key: memberKey, body: registryEvent('evt-openapi-3') })).status).toBe(403);
    expect((await op('reportEvent', {}, { key: local.registryKey, rawBody: 'id=1', contentType: 'text/plain' })).status).toBe(415);
  });

  test('deliveries and redeliver', async () => {
    await waitFor(async () => {
      const answer = await op('getDelivery', { id: ids.okDelivery }, { key: memberKey });
      return answer.body.status === 'succeeded' ? answer : undefined;
    }, { what: 'the delivery to succeed' });
    await waitFor(async () => {
      const answer = await op('getDelivery', { id: ids.failingDelivery });
      return answer.body.attempts.length > 0 ? answer : undefined;
    }, { what: 'the failing delivery to record an attempt' });

    const page = await op('listDeliveries', {}, { key: memberKey, query: '?limit=1' });
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(1);
    expect(typeof page.body.nextCursor).toBe('string');
    const next = await op('listDeliveries', {}, { query: `?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}` });
    expect(next.status).toBe(200);
    const filtered = await op('listDeliveries', {}, { query: `?eventId=evt-openapi-1&status=succeeded&automationId=${ids.linked}&webhookId=${ids.okHook}` });
    expect(filtered.body.items.map((item: { id: string }) => item.id)).toEqual([ids.okDelivery]);
    expect((await op('listDeliveries', {}, { query: '?limit=0' })).status).toBe(400);
    expect((await op('listDeliveries', {}, { query: '?status=lost' })).status).toBe(400);
    expect((await op('getDelivery', { id: 'dlv_missing' })).status).toBe(404);

    // Still retrying on a long schedule: redelivery starts a new round now instead of waiting.
    expect((await op('redeliver', { id: ids.failingDelivery })).status).toBe(202);
    await waitFor(async () => {
      const answer = await op('getDelivery', { id: ids.failingDelivery });
      return answer.body.attempts.length >= 2 ? answer : undefined;
    }, { what: 'the redelivered round to make its first attempt' });
    expect((await op('redeliver', { id: 'dlv_missing' })).status).toBe(404);
    expect((await op('redeliver', { id: ids.okDelivery }, { key: memberKey })).status).toBe(403);
    expect((await op('redeliver', { id: ids.okDelivery })).status).toBe(202);
    await waitFor(async () => {
      const answer = await op('getDelivery', { id: ids.okDelivery });
      return answer.body.status === 'succeeded' && answer.body.attempts.length === 2 ? answer : undefined;
    }, { what: 'the redelivery to succeed' });
  });

  test('the session touched every route, with a success and an error answer each', () => {
    const missing: string[] = [];
    for (const route of ROUTES) {
      const statuses = seen.filter((entry) => entry.operation === route.operation).map((entry) => entry.answer.status);
      if (!statuses.some((status) => status >= 200 && status < 300)) missing.push(`${route.operation}: no success answer`);
      if (route.roles.length > 0 && !statuses.some((status) => status >= 400)) missing.push(`${route.operation}: no error answer`);
    }
    expect(missing).toEqual([]);
    // The main error statuses each came up at least once.
    const all = new Set(seen.map((entry) => entry.answer.status));
    for (const status of [400, 401, 403, 404, 409, 413, 415]) expect(all).toContain(status);
  });
});
