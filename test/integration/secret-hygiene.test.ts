/**
 * Secret values are write-only (architecture.md, Security rules): a full session with
 * distinctive secret values, run against local mode at LOG_LEVEL=DEBUG, must not show any of
 * them in any answer, in anything local mode printed, or in the deliveries log — even when a
 * receiver echoes them back, or when a request that carries one is refused.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { client, registryEvent, type Client } from './support/api-session';
import { waitFor, type ApiAnswer } from './support/http';
import { removeDataDir, startLocalMode, type LocalModeProcess } from './support/local-mode';
import { startReceiver, type Receiver } from './support/receiver';

const T = '/teams/demo';

/** Distinctive values, with characters that JSON and URLs escape. */
const SECRETS = {
  signing: 'hyg-sign-Qz7"\\<&>\'-value-31f7a9',
  rotatedSigning: 'hyg-sign-rotated-8c1e4d2b90',
  token: 'hyg-token-ghp_a1B2c3D4e5F6g7',
  unused: 'hyg-unused-secret-77e0c3',
  refused: 'hyg-refused-secret-5b9d1f',
};

/** Every spelling a value could leak in: as is, JSON-escaped (once or twice), URL-encoded, base64. */
function spellings(value: string): string[] {
  const escaped = JSON.stringify(value).slice(1, -1);
  return [...new Set([value, escaped, JSON.stringify(escaped).slice(1, -1), encodeURIComponent(value), Buffer.from(value).toString('base64')])];
}

/**
 * A receiver that echoes what it got, as some do (httpbin-style): the Authorization header,
 * the body as a string, and the body parsed.
 */
async function startEchoReceiver(): Promise<{ url: string; requests: number; close(): Promise<void> }> {
  const state = { url: '', requests: 0, close: async () => undefined as void };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      state.requests += 1;
      const body = Buffer.concat(chunks).toString('utf8');
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ authorization: request.headers.authorization ?? null, data: body, json: JSON.parse(body) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return state;
}

/** The secrets found in `text`, by name. */
function leaks(text: string): string[] {
  return Object.entries(SECRETS).filter(([, value]) => spellings(value).some((spelling) => text.includes(spelling))).map(([name]) => name);
}

let local: LocalModeProcess;
let receiver: Receiver;
let echoReceiver: Awaited<ReturnType<typeof startEchoReceiver>>;
let admin: Client;
let registry: Client;
const answers: ApiAnswer[] = [];
const deliveryIds: string[] = [];

beforeAll(async () => {
  receiver = await startReceiver({ status: 200, body: 'ok' });
  echoReceiver = await startEchoReceiver();
  local = await startLocalMode({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', LOG_LEVEL: 'DEBUG', RETRY_SCHEDULE: '1' } });
  admin = client(local.baseUrl, local.adminKey, answers);
  registry = client(local.baseUrl, local.registryKey, answers);
});

afterAll(async () => {
  await local?.stop();
  await receiver?.close();
  await echoReceiver?.close();
  if (local) removeDataDir(local.dataDir);
});

/** Waits for a delivery to finish (succeeded or failed) and returns its log entry. */
async function finished(id: string) {
  return waitFor(async () => {
    const answer = await admin.get(`${T}/deliveries/${id}`);
    return answer.body.status === 'succeeded' || answer.body.status === 'failed' ? answer.body : undefined;
  }, { what: `delivery ${id} to finish` });
}

test('a full session with secrets', async () => {
  // Secrets: create, rotate, list.
  expect((await admin.put(`${T}/secrets/HMAC_KEY`, { value: SECRETS.signing })).status).toBe(201);
  expect((await admin.put(`${T}/secrets/GH_TOKEN`, { value: SECRETS.token })).status).toBe(201);
  expect((await admin.put(`${T}/secrets/UNUSED`, { value: SECRETS.unused })).status).toBe(201);
  expect((await admin.get(`${T}/secrets`)).status).toBe(200);

  // Webhooks with a secret and a token, to a plain and to an echoing receiver.
  const hook = await admin.post(`${T}/webhooks`, { name: 'signed', url: `${receiver.url}/hook`, secret: 'HMAC_KEY', accessToken: 'GH_TOKEN' });
  expect(hook.status).toBe(201);
  const echo = await admin.post(`${T}/webhooks`, { name: 'echo', url: `${echoReceiver.url}/echo`, secret: 'HMAC_KEY', accessToken: 'GH_TOKEN' });
  expect(echo.status).toBe(201);

  // Automations whose payload holds the secrets.
  const payload = { token: '${ACCESS_TOKEN}', key: '${HMAC_KEY}', both: 'Bearer ${ACCESS_TOKEN} / ${HMAC_KEY}', v: '${artifact_version_string}' };
  for (const [name, webhookId] of [['to-hook', hook.body.id], ['to-echo', echo.body.id]]) {
    const automation = await admin.post(`${T}/automations`, { name, event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId, payload } });
    expect(automation.status).toBe(201);
  }
  const asText = await admin.post(`${T}/automations`, { name: 'text', event: { type: 'ADD_ARTIFACT_TAG' }, action: { type: 'WEBHOOK', webhookId: hook.body.id, payload: '{"t":"${ACCESS_TOKEN}"}' } });
  expect(asText.status).toBe(201);

  // Events: the first, its retry, a tag event.
  const event = await registry.post(`${T}/events`, registryEvent('evt-hygiene-1'));
  expect(event.status).toBe(202);
  expect(event.body.deliveries).toHaveLength(2);
  expect((await registry.post(`${T}/events`, registryEvent('evt-hygiene-1'))).status).toBe(200);
  const tag = await registry.post(`${T}/events`, registryEvent('evt-hygiene-2', { type: 'ADD_ARTIFACT_TAG', tag: 'release' }));
  expect(tag.body.deliveries).toHaveLength(1);
  deliveryIds.push(...event.body.deliveries.map((d: { id: string }) => d.id), tag.body.deliveries[0].id);
  for (const id of deliveryIds) expect((await finished(id)).status).toBe('succeeded');

  // The rendered POSTs did carry the values (so the checks below are meaningful).
  expect(echoReceiver.requests).toBeGreaterThan(0);
  expect(receiver.requests.some((request) => request.body.includes(JSON.stringify(SECRETS.signing).slice(1, -1)))).toBe(true);
  expect(receiver.requests.every((request) => request.headers.authorization === `Bearer ${SECRETS.token}`)).toBe(true);

  // Rotate the signing secret, redeliver, test the webhooks (default and custom payloads).
  expect((await admin.put(`${T}/secrets/HMAC_KEY`, { value: SECRETS.rotatedSigning })).status).toBe(200);
  const toHook = event.body.deliveries.find((d: { webhookId: string }) => d.webhookId === hook.body.id).id;
  expect((await admin.post(`${T}/deliveries/${toHook}/redeliver`)).status).toBe(202);
  await waitFor(async () => {
    const answer = await admin.get(`${T}/deliveries/${toHook}`);
    return answer.body.status === 'succeeded' && answer.body.attempts.length === 2 ? answer : undefined;
  }, { what: 'the redelivery' });
  const redelivered = receiver.requests.filter((request) => request.headers['x-wandb-delivery'] === toHook);
  expect(redelivered).toHaveLength(2);
  expect(redelivered[1].body).toContain(SECRETS.rotatedSigning);
  for (const webhookId of [hook.body.id, echo.body.id]) {
    expect((await admin.post(`${T}/webhooks/${webhookId}/test`, {})).body.ok).toBe(true);
    expect((await admin.post(`${T}/webhooks/${webhookId}/test`, { payload })).body.ok).toBe(true);
  }

  // Listings and lookups of everything.
  for (const path of ['/secrets', '/webhooks', `/webhooks/${hook.body.id}`, '/automations', '/deliveries', '/deliveries?limit=1', '/keys']) {
    expect((await admin.get(`${T}${path}`)).status).toBe(200);
  }
  for (const id of deliveryIds) expect((await admin.get(`${T}/deliveries/${id}`)).status).toBe(200);

  // Refused requests that carry a secret value.
  const refused = [
    await admin.put(`${T}/secrets/bad-name`, { value: SECRETS.refused }),
    await admin.put(`${T}/secrets/GOOD_NAME`, { value: SECRETS.refused, note: SECRETS.refused }),
    await admin.put(`${T}/secrets/GOOD_NAME`, { value: [SECRETS.refused] }),
    await admin.put(`${T}/secrets/GOOD_NAME`, { valeu: SECRETS.refused }),
    await admin.send('PUT', `${T}/secrets/GOOD_NAME`, { rawBody: `{"value":"${SECRETS.refused}"`, contentType: 'application/json' }),
    await admin.send('PUT', `${T}/secrets/GOOD_NAME`, { rawBody: `value=${SECRETS.refused}`, contentType: 'text/plain' }),
    await admin.post(`${T}/webhooks`, { name: 'x', url: 'https://ci.example.com/', secret: SECRETS.refused }),
    await admin.post(`${T}/automations`, { name: 'x', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: hook.body.id, payload: { a: `\${${SECRETS.refused.replace(/-/g, '_')}}` } } }),
    await admin.post(`${T}/webhooks/${hook.body.id}/test`, { payload: `{"a":"${SECRETS.refused}"` }),
    await client(local.baseUrl, SECRETS.refused.replace(/-/g, '_'), answers).get(`${T}/secrets`),
  ];
  for (const answer of refused) expect(answer.status).toBeGreaterThanOrEqual(400);
});

test('no secret value in any answer', () => {
  expect(answers.length).toBeGreaterThan(30);
  const found = answers.flatMap((answer) => leaks(answer.text).map((name) => `${name} in a ${answer.status} answer: ${answer.text.slice(0, 300)}`));
  expect(found).toEqual([]);
});

test('no secret value in anything local mode printed (DEBUG logs included)', () => {
  const output = local.output();
  expect(output).toMatch(/READY/);
  expect(output.length).toBeGreaterThan(1000); // DEBUG logging is on: there is plenty to look at
  const found = leaks(output).map((name) => {
    const value = SECRETS[name as keyof typeof SECRETS];
    const at = spellings(value).map((s) => output.indexOf(s)).find((index) => index >= 0)!;
    return `${name}: …${output.slice(Math.max(0, at - 200), at + 100)}…`;
  });
  expect(found).toEqual([]);
});

test('the deliveries log shows payloads with secrets as [REDACTED]', async () => {
  for (const id of deliveryIds) {
    const delivery = (await admin.get(`${T}/deliveries/${id}`)).body;
    expect(leaks(delivery.payload)).toEqual([]);
    expect(delivery.payload).toContain('[REDACTED]');
    expect(leaks(JSON.stringify(delivery))).toEqual([]);
  }
});
