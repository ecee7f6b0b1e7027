/**
 * Webhooks (lambdas/domain/services/webhooks.ts) over the in-memory ports: create, list, get,
 * update and delete with the URL and secret rules, unique names, deletion refused while in
 * use; and the test route, which makes one signed POST and stores nothing.
 */
import { describeFailure } from '../../../lambdas/domain/attempt-failure';
import type { RuntimeConfig } from '../../../lambdas/domain/config';
import {
  createWebhook,
  deleteWebhook,
  listWebhooks,
  requireWebhook,
  testWebhook,
  toWebhookResponse,
  updateWebhook,
} from '../../../lambdas/domain/services/webhooks';
import { signPayload, standardWebhookHeaders } from '../../../lambdas/domain/signing';
import { inMemoryDeps, type FakeAnswer, type InMemoryDeps } from '../support/in-memory-deps';
import { automationRecord, expectRefusedWithoutChange, storeContents, TEAM } from './fixtures';

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-01-01T00:00:01.000Z';
const HOOK_URL = 'https://hooks.example.com/in';

/** Deps with the team's secrets HMAC_KEY, TOKEN and BAD_TOKEN (not valid in a header), and another team's THEIRS. */
async function setup(config: Partial<RuntimeConfig> = {}) {
  const deps = inMemoryDeps(config);
  await deps.secrets.put(TEAM, 'HMAC_KEY', 'signing-secret-value');
  await deps.secrets.put(TEAM, 'TOKEN', 'token-value');
  await deps.secrets.put(TEAM, 'BAD_TOKEN', 'line\nbreak');
  await deps.secrets.put('other', 'THEIRS', 'their-value');
  return deps;
}

/** A create body: `hook` to {@link HOOK_URL}, with `overrides` on top. */
function body(overrides: Record<string, unknown> = {}) {
  return { name: 'hook', url: HOOK_URL, ...overrides };
}

/** Deps with one webhook `hook`, signed with HMAC_KEY and carrying TOKEN; the clock then moved by a second. */
async function setupWithWebhook() {
  const deps = await setup();
  const hook = await createWebhook(deps, TEAM, body({ secret: 'HMAC_KEY', accessToken: 'TOKEN' }));
  deps.clock.advance(1000);
  return { deps, hook };
}

describe('create, list, get, delete', () => {
  test('create stores the webhook and answers it without the team', async () => {
    const deps = await setup();

    const created = await createWebhook(deps, TEAM, body({ name: '  hook  ', secret: 'HMAC_KEY', accessToken: 'TOKEN' }));

    expect(created).toEqual({
      id: expect.stringMatching(/^wh_[0-9a-f]{32}$/), name: 'hook', url: HOOK_URL, secret: 'HMAC_KEY', accessToken: 'TOKEN',
      enabled: true, disabledReason: null, disabledAt: null, failingSince: null, rateLimit: null, headers: {}, createdAt: T0, updatedAt: T0,
    });
    const stored = await deps.webhooks.list(TEAM);
    expect(stored.map(toWebhookResponse)).toEqual([created]);
    expect(stored.map((hook) => hook.team)).toEqual([TEAM]);
  });

  test('secret and access token are optional (absent or null: none)', async () => {
    const deps = await setup();

    const plain = await createWebhook(deps, TEAM, body({ name: 'plain' }));
    const nulls = await createWebhook(deps, TEAM, body({ name: 'nulls', secret: null, accessToken: null }));

    expect([plain, nulls].map(({ secret, accessToken }) => ({ secret, accessToken }))).toEqual([
      { secret: null, accessToken: null },
      { secret: null, accessToken: null },
    ]);
  });

  test('the URL is stored exactly as sent, not normalised; the signing secret may hold any value', async () => {
    const deps = await setup();
    const url = 'HTTPS://Hooks.Example.com:443/a/../in?x=1#frag';

    const created = await createWebhook(deps, TEAM, body({ url, secret: 'BAD_TOKEN' }));

    expect((await deps.webhooks.get(TEAM, created.id))?.url).toBe(url);
  });

  test("list and get answer the team's own webhooks only", async () => {
    const deps = await setup();
    const first = await createWebhook(deps, TEAM, body({ name: 'first' }));
    deps.clock.advance(1000);
    const second = await createWebhook(deps, TEAM, body({ name: 'second' }));
    const theirs = await createWebhook(deps, 'other', body({ name: 'theirs' }));

    expect(await listWebhooks(deps, TEAM)).toEqual({ items: [first, second] });
    expect(toWebhookResponse(await requireWebhook(deps, TEAM, first.id))).toEqual(first);
    await expect(requireWebhook(deps, TEAM, theirs.id)).rejects.toMatchObject({ kind: 'not-found', message: 'webhook not found' });
    await expect(requireWebhook(deps, TEAM, 'wh_nope')).rejects.toMatchObject({ kind: 'not-found', message: 'webhook not found' });
  });

  test('names are unique per team (after trimming): a taken one is a conflict; another team may use it', async () => {
    const deps = await setup();
    await createWebhook(deps, TEAM, body());

    for (const name of ['hook', ' hook ']) {
      await expectRefusedWithoutChange(deps, () => createWebhook(deps, TEAM, body({ name, url: 'https://other.example.com/in' })), {
        kind: 'conflict',
        message: 'a webhook named hook already exists',
      });
    }
    await createWebhook(deps, 'other', body());
    expect((await listWebhooks(deps, 'other')).items.map((hook) => hook.name)).toEqual(['hook']);
  });

  test('delete is refused while an automation (even a disabled one) uses the webhook, then removes it', async () => {
    const deps = await setup();
    const kept = await createWebhook(deps, TEAM, body({ name: 'kept' }));
    const hook = await createWebhook(deps, TEAM, body());
    await deps.automations.put(automationRecord(deps, 'au_1', { enabled: false, action: { type: 'WEBHOOK', webhookId: hook.id } }));

    await expectRefusedWithoutChange(deps, () => deleteWebhook(deps, TEAM, hook.id), { kind: 'conflict', message: 'webhook hook is used by an automation' });

    await deps.automations.delete(TEAM, 'au_1');
    await deleteWebhook(deps, TEAM, hook.id);
    expect(await listWebhooks(deps, TEAM)).toEqual({ items: [kept] });
    await expectRefusedWithoutChange(deps, () => deleteWebhook(deps, TEAM, hook.id), { kind: 'not-found', message: 'webhook not found' });
  });

  test('delete of another team’s webhook is not-found and leaves it', async () => {
    const deps = await setup();
    const theirs = await createWebhook(deps, 'other', body());

    await expectRefusedWithoutChange(deps, () => deleteWebhook(deps, TEAM, theirs.id), { kind: 'not-found' });
    expect(await listWebhooks(deps, 'other')).toEqual({ items: [theirs] });
  });
});

/** A refusal of the URL: the message, and one detail on field `url`. */
function urlRefusal(problem: string) {
  return { message: `url: ${problem}`, details: [{ field: 'url', message: problem }] };
}

describe('a create is refused, and nothing stored, when', () => {
  test.each([
    { what: 'the host is a private IPv4 literal', input: body({ url: 'https://10.0.0.1/in' }), error: urlRefusal('IP addresses are not allowed') },
    { what: 'the host is a public IPv4 literal', input: body({ url: 'https://93.184.216.34/in' }), error: urlRefusal('IP addresses are not allowed') },
    { what: 'the host is an IPv4 literal in decimal', input: body({ url: 'http://2130706433/in' }), error: urlRefusal('IP addresses are not allowed') },
    { what: 'the host is an IPv6 literal', input: body({ url: 'https://[2001:db8::1]/in' }), error: urlRefusal('IP addresses are not allowed') },
    { what: 'the host is localhost', input: body({ url: 'http://localhost:8080/in' }), error: urlRefusal('localhost is not allowed') },
    { what: 'the host is a single label', input: body({ url: 'https://intranet/in' }), error: urlRefusal('host must be a DNS name with a dot') },
    { what: 'the host is under .internal', input: body({ url: 'http://metadata.google.internal/' }), error: urlRefusal('host under .internal is internal and not allowed') },
    { what: 'the scheme is not http(s)', input: body({ url: 'ftp://hooks.example.com/in' }), error: urlRefusal('scheme must be http or https') },
    { what: 'the URL carries user info', input: body({ url: 'https://user:pw@hooks.example.com/in' }), error: urlRefusal('user info is not allowed') },
    { what: 'the URL is not absolute', input: body({ url: 'hooks.example.com/in' }), error: urlRefusal('not a valid URL') },
    { what: 'the URL holds a space', input: body({ url: 'https://hooks.example.com/in put' }), error: urlRefusal('must not contain whitespace or control characters') },
    { what: 'the URL ends with a newline', input: body({ url: `${HOOK_URL}\n` }), error: urlRefusal('must not contain whitespace or control characters') },
    {
      what: 'the signing secret does not exist',
      input: body({ secret: 'NOPE' }),
      error: { message: 'secret: secret NOPE does not exist', details: [{ field: 'secret', message: 'secret NOPE does not exist' }] },
    },
    { what: 'the signing secret is another team’s', input: body({ secret: 'THEIRS' }), error: { message: 'secret: secret THEIRS does not exist' } },
    {
      what: 'the access token does not exist',
      input: body({ accessToken: 'NOPE' }),
      error: { message: 'accessToken: secret NOPE does not exist', details: [{ field: 'accessToken', message: 'secret NOPE does not exist' }] },
    },
    {
      what: 'the access token holds characters not allowed in a header',
      input: body({ accessToken: 'BAD_TOKEN' }),
      error: {
        message: 'accessToken: secret BAD_TOKEN holds characters not allowed in an HTTP header',
        details: [{ field: 'accessToken', message: 'secret BAD_TOKEN holds characters not allowed in an HTTP header' }],
      },
    },
    { what: 'a secret name is malformed', input: body({ secret: 'bad-name' }), error: { message: 'secret: must match ^[A-Za-z0-9_]{1,64}$' } },
    { what: 'there is no name', input: { url: HOOK_URL }, error: { message: 'name: is required' } },
    { what: 'the body has an unknown field', input: body({ team: 'other' }), error: { message: 'team: unknown field' } },
    { what: 'the body is not an object', input: 'hook', error: { message: 'body: must be a JSON object' } },
  ])('$what', async ({ input, error }) => {
    const deps = await setup();
    await createWebhook(deps, TEAM, body({ name: 'existing' }));
    await expectRefusedWithoutChange(deps, () => createWebhook(deps, TEAM, input), { kind: 'invalid', ...error });
  });

  test('an allowed host (local development) is exempt from the host rules only', async () => {
    const deps = await setup({ allowHosts: new Set(['localhost']) });

    const created = await createWebhook(deps, TEAM, body({ url: 'http://localhost:8080/in' }));

    expect(created.url).toBe('http://localhost:8080/in');
    await expectRefusedWithoutChange(deps, () => createWebhook(deps, TEAM, body({ name: 'ftp', url: 'ftp://localhost/in' })), { kind: 'invalid', ...urlRefusal('scheme must be http or https') });
    await expectRefusedWithoutChange(deps, () => createWebhook(deps, TEAM, body({ name: 'ip', url: 'http://127.0.0.1/in' })), { kind: 'invalid', ...urlRefusal('IP addresses are not allowed') });
  });
});

describe('PATCH', () => {
  test('replaces the fields given, null removes the secret; id and times are accepted and ignored', async () => {
    const { deps, hook } = await setupWithWebhook();

    const updated = await updateWebhook(deps, TEAM, hook.id, { id: 'wh_other', createdAt: 'then', updatedAt: 'now', name: 'renamed', url: 'https://other.example.com/in', secret: null });

    expect(updated).toEqual({ ...hook, name: 'renamed', url: 'https://other.example.com/in', secret: null, updatedAt: T1 });
    expect((await deps.webhooks.list(TEAM)).map(toWebhookResponse)).toEqual([updated]);
  });

  test('null removes the access token; keeping its own name is no conflict', async () => {
    const { deps, hook } = await setupWithWebhook();

    const updated = await updateWebhook(deps, TEAM, hook.id, { name: 'hook', accessToken: null });

    expect(updated).toEqual({ ...hook, accessToken: null, updatedAt: T1 });
  });

  test.each([
    { what: 'the new URL is an IP literal', patch: { url: 'https://192.168.1.1/in' }, error: { kind: 'invalid', ...urlRefusal('IP addresses are not allowed') } },
    { what: 'the new signing secret does not exist', patch: { secret: 'NOPE' }, error: { kind: 'invalid', message: 'secret: secret NOPE does not exist' } },
    { what: 'the new access token is not valid in a header', patch: { accessToken: 'BAD_TOKEN' }, error: { kind: 'invalid', message: 'accessToken: secret BAD_TOKEN holds characters not allowed in an HTTP header' } },
    { what: 'the new name is taken', patch: { name: 'taken' }, error: { kind: 'conflict', message: 'a webhook named taken already exists' } },
    { what: 'the body has an unknown field', patch: { team: 'other' }, error: { kind: 'invalid', message: 'team: unknown field' } },
  ])('is refused, and nothing changed, when $what', async ({ patch, error }) => {
    const { deps, hook } = await setupWithWebhook();
    await createWebhook(deps, TEAM, body({ name: 'taken' }));
    await expectRefusedWithoutChange(deps, () => updateWebhook(deps, TEAM, hook.id, patch), error);
  });

  test('the access token’s value is checked only when the patch names the access token', async () => {
    const { deps, hook } = await setupWithWebhook();
    await deps.secrets.put(TEAM, 'TOKEN', 'changed\nsince'); // straight into the store, as the console could

    const moved = await updateWebhook(deps, TEAM, hook.id, { url: 'https://other.example.com/in' });

    expect(moved.url).toBe('https://other.example.com/in');
    await expectRefusedWithoutChange(deps, () => updateWebhook(deps, TEAM, hook.id, { accessToken: 'TOKEN' }), {
      kind: 'invalid',
      message: 'accessToken: secret TOKEN holds characters not allowed in an HTTP header',
    });
  });

  test('an unknown id, or another team’s, is not-found and changes nothing', async () => {
    const { deps } = await setupWithWebhook();
    const theirs = await createWebhook(deps, 'other', body());

    await expectRefusedWithoutChange(deps, () => updateWebhook(deps, TEAM, 'wh_nope', { name: 'x' }), { kind: 'not-found', message: 'webhook not found' });
    await expectRefusedWithoutChange(deps, () => updateWebhook(deps, TEAM, theirs.id, { name: 'x' }), { kind: 'not-found', message: 'webhook not found' });
    expect(await listWebhooks(deps, 'other')).toEqual({ items: [theirs] });
  });
});

describe('testWebhook', () => {
  /** The default payload of the sample event (template.ts), as the exact text sent. */
  const SAMPLE_DEFAULT_BODY = JSON.stringify({
    event_type: 'LINK_ARTIFACT',
    event_author: 'alice',
    entity_name: 'acme',
    project_name: 'model-registry',
    artifact_collection_name: 'churn-model',
    artifact_version: 'wandb-artifact://_id/QXJ0aWZhY3Q6MTIz',
    artifact_version_string: 'acme/model-registry/churn-model:v3',
    alias: 'production',
    tag: '',
    artifact_metadata: { accuracy: 0.93, framework: 'pytorch', epochs: 20, tags: ['baseline'] },
  });

  /** The headers every test POST carries (a fresh `test_…` delivery id each time). */
  const BASE_HEADERS = { 'Content-Type': 'application/json', 'User-Agent': 'registry-webhooks/test', 'X-Wandb-Delivery': expect.stringMatching(/^test_[0-9a-f]{32}$/) };

  /** The Standard Webhooks headers of the one request sent, for these secret values, at the deps' time. */
  function standardHeaders(deps: InMemoryDeps, values: string[], body: string) {
    const id = deps.sender.requests[0]?.headers['X-Wandb-Delivery'] ?? '';
    return standardWebhookHeaders(values, id, deps.now(), body);
  }

  /** Runs the test route, expecting it to store nothing at all; returns the answer. */
  async function testStoringNothing(deps: InMemoryDeps, id: string, input: unknown) {
    const before = await storeContents(deps);
    const answer = await testWebhook(deps, TEAM, id, input);
    expect(await storeContents(deps)).toEqual(before);
    expect(deps.deliveries.size).toBe(0);
    expect(deps.queue.sent).toEqual([]);
    return answer;
  }

  test.each([{ input: {} }, { input: undefined }, { input: { payload: null } }])('sends one POST of the default payload, signed, for $input', async ({ input }) => {
    const deps = await setup();
    const hook = await createWebhook(deps, TEAM, body({ secret: 'HMAC_KEY' }));

    expect(await testStoringNothing(deps, hook.id, input)).toEqual({ ok: true, status: 200, durationMs: 5, responseBody: '', error: null });

    expect(deps.sender.requests).toEqual([
      {
        url: HOOK_URL,
        headers: { ...BASE_HEADERS, 'X-Wandb-Signature': signPayload('signing-secret-value', SAMPLE_DEFAULT_BODY), ...standardHeaders(deps, ['signing-secret-value'], SAMPLE_DEFAULT_BODY) },
        body: SAMPLE_DEFAULT_BODY,
        secrets: ['signing-secret-value'],
      },
    ]);
  });

  test('a custom payload is rendered with the secret values, sent with the bearer token and signed', async () => {
    const { deps, hook } = await setupWithWebhook();
    const sent = JSON.stringify({ version: 'acme/model-registry/churn-model:v3', token: 'token-value', key: 'signing-secret-value' });

    await testStoringNothing(deps, hook.id, { payload: { version: '${artifact_version_string}', token: '${ACCESS_TOKEN}', key: '${HMAC_KEY}' } });

    expect(deps.sender.requests).toEqual([
      {
        url: HOOK_URL,
        headers: { ...BASE_HEADERS, Authorization: 'Bearer token-value', 'X-Wandb-Signature': signPayload('signing-secret-value', sent), ...standardHeaders(deps, ['signing-secret-value'], sent) },
        body: sent,
        secrets: ['token-value', 'signing-secret-value'],
      },
    ]);
  });

  test('a webhook without a signing secret is sent unsigned', async () => {
    const deps = await setup();
    const hook = await createWebhook(deps, TEAM, body());

    await testStoringNothing(deps, hook.id, {});

    expect(deps.sender.requests).toEqual([{ url: HOOK_URL, headers: BASE_HEADERS, body: SAMPLE_DEFAULT_BODY, secrets: [] }]);
  });

  test.each([
    { answer: { status: 500, responseBody: 'oops', durationMs: 12 }, expected: { ok: false, status: 500, durationMs: 12, responseBody: 'oops', error: 'HTTP 500' } },
    { answer: { status: null, durationMs: 3 }, expected: { ok: false, status: null, durationMs: 3, responseBody: '', error: 'connection refused' } },
    { answer: { status: null, failure: { kind: 'timeout', afterMs: 15000 } }, expected: { ok: false, status: null, durationMs: 5, responseBody: '', error: 'timeout after 15000 ms' } },
    { answer: { status: 201, responseBody: 'created' }, expected: { ok: true, status: 201, durationMs: 5, responseBody: 'created', error: null } },
  ] satisfies Array<{ answer: FakeAnswer; expected: unknown }>)('answers what the receiver did: $expected.error', async ({ answer, expected }) => {
    const { deps, hook } = await setupWithWebhook();
    deps.sender.script = [answer];

    expect(await testStoringNothing(deps, hook.id, {})).toEqual(expected);
    expect(deps.sender.requests).toHaveLength(1);
  });

  test.each(['HMAC_KEY', 'TOKEN'])('a webhook whose secret %s was deleted since answers ok:false with the reason, without a POST', async (name) => {
    const { deps, hook } = await setupWithWebhook();
    await deps.secrets.delete(TEAM, name);

    const answer = await testStoringNothing(deps, hook.id, {});

    expect(answer).toEqual({ ok: false, status: null, durationMs: 0, responseBody: '', error: `secret ${name} not found` });
    expect(answer.error).toBe(describeFailure({ kind: 'missing-secret', secretName: name }));
    expect(deps.sender.requests).toEqual([]);
  });

  test.each([
    { what: 'an unknown variable', input: { payload: { x: '${nope}' } }, error: { message: 'payload: unknown variable ${nope}', details: [{ field: 'payload' }] } },
    { what: '${ACCESS_TOKEN} on a webhook without one', input: { payload: { x: '${ACCESS_TOKEN}' } }, error: { message: 'payload: unknown variable ${ACCESS_TOKEN}' } },
    { what: 'a secret that is not the webhook’s signing secret', input: { payload: { x: '${TOKEN}' } }, error: { message: 'payload: unknown variable ${TOKEN}' } },
    { what: 'text that is not JSON', input: { payload: 'hello ${alias}' }, error: { message: expect.stringMatching(/^payload: not valid JSON \(/), details: [{ field: 'payload' }] } },
    { what: 'an unknown field', input: { payload: {}, dryRun: true }, error: { message: 'dryRun: unknown field' } },
    { what: 'a body that is not an object', input: [], error: { message: 'body: must be a JSON object' } },
  ])('a bad test payload ($what) is invalid: no POST, nothing stored', async ({ input, error }) => {
    const deps = await setup();
    const hook = await createWebhook(deps, TEAM, body({ secret: 'HMAC_KEY' }));

    await expectRefusedWithoutChange(deps, () => testWebhook(deps, TEAM, hook.id, input), { kind: 'invalid', ...error });
    expect(deps.sender.requests).toEqual([]);
  });

  test('an unknown webhook, or another team’s, is not-found, without a POST', async () => {
    const deps = await setup();
    const theirs = await createWebhook(deps, 'other', body());

    await expect(testWebhook(deps, TEAM, 'wh_nope', {})).rejects.toMatchObject({ kind: 'not-found', message: 'webhook not found' });
    await expect(testWebhook(deps, TEAM, theirs.id, {})).rejects.toMatchObject({ kind: 'not-found', message: 'webhook not found' });
    expect(deps.sender.requests).toEqual([]);
  });
});
