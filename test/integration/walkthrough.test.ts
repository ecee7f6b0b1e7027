/**
 * The README walkthrough, as a new user runs it, over real HTTP against local mode:
 * secret → webhook → automation → event → the receiver gets one signed POST → the delivery
 * log shows it succeeded. Also: another collection's event sends nothing, and no secret
 * value shows up in any answer or anything local mode printed.
 */
import { execFileSync } from 'node:child_process';
import { call, waitFor, type ApiAnswer } from './support/http';
import { removeDataDir, startLocalMode, type LocalModeProcess } from './support/local-mode';
import { startReceiver, type Receiver } from './support/receiver';

const SIGNING_SECRET = 'whsec-walkthrough-7Qz"\\-value';
const ACCESS_TOKEN = 'ghp-walkthrough-token-9f8e7d';

let local: LocalModeProcess;
let receiver: Receiver;
const answers: ApiAnswer[] = [];

async function api(method: string, path: string, key: string, body?: unknown) {
  const answer = await call(local.baseUrl, method, path, { key, body });
  answers.push(answer);
  return answer;
}

function opensslSignature(secret: string, body: string): string {
  return execFileSync('sh', ['-c', 'printf %s "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64'], {
    env: { ...process.env, BODY: body, SECRET: secret },
  }).toString('utf8').trim();
}

beforeAll(async () => {
  receiver = await startReceiver();
  local = await startLocalMode({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', LOG_LEVEL: 'DEBUG' } });
});

afterAll(async () => {
  await local?.stop();
  await receiver?.close();
  if (local) removeDataDir(local.dataDir);
});

test('health answers without a key', async () => {
  const health = await call(local.baseUrl, 'GET', '/health');
  expect(health.status).toBe(200);
  expect(health.body).toEqual({ status: 'ok' });
});

test('secret → webhook → automation → event → one signed POST → succeeded', async () => {
  const admin = local.adminKey;
  expect((await api('PUT', '/teams/demo/secrets/HMAC_KEY', admin, { value: SIGNING_SECRET })).status).toBe(201);
  expect((await api('PUT', '/teams/demo/secrets/GH_TOKEN', admin, { value: ACCESS_TOKEN })).status).toBe(201);

  const webhook = await api('POST', '/teams/demo/webhooks', admin, {
    name: 'deploy-hook', url: `${receiver.url}/hooks/wandb`, secret: 'HMAC_KEY', accessToken: 'GH_TOKEN',
  });
  expect(webhook.status).toBe(201);
  expect(webhook.body).toMatchObject({ name: 'deploy-hook', secret: 'HMAC_KEY', accessToken: 'GH_TOKEN' });

  const payload = {
    event_type: 'BUILD_AND_DEPLOY',
    client_payload: {
      type: '${event_type}', author: '${event_author}', entity: '${entity_name}', project: '${project_name}',
      collection: '${artifact_collection_name}', version: '${artifact_version}', version_string: '${artifact_version_string}',
      alias: '${alias}', tag: '${tag}', accuracy: '${artifact_metadata.accuracy}', note: '${artifact_metadata.note}',
    },
  };
  const automation = await api('POST', '/teams/demo/automations', admin, {
    name: 'deploy-on-link', description: 'Kick off CI when a model version is linked', enabled: true,
    event: { type: 'LINK_ARTIFACT', collection: 'churn-model' },
    action: { type: 'WEBHOOK', webhookId: webhook.body.id, payload },
  });
  expect(automation.status).toBe(201);

  const event = (id: string, collection: string) => ({
    id, type: 'LINK_ARTIFACT', author: 'al"ice\\', entity: 'acme', project: 'model-registry',
    artifact: { collection, version: 'wandb-artifact://_id/QXJ0aWZhY3Q6MTIz', versionString: `acme/model-registry/${collection}:v3`, metadata: { accuracy: 0.93, note: 'quote " and backslash \\ and\nnewline' } },
    alias: 'production', tag: null,
  });
  // Another collection first: it must produce nothing.
  const other = await api('POST', '/teams/demo/events', local.registryKey, event('evt-other', 'fraud-model'));
  expect(other.status).toBe(202);
  expect(other.body.deliveries).toEqual([]);

  const accepted = await api('POST', '/teams/demo/events', local.registryKey, event('evt-7f3a', 'churn-model'));
  expect(accepted.status).toBe(202);
  expect(accepted.body).toMatchObject({ eventId: 'evt-7f3a', duplicate: false });
  expect(accepted.body.deliveries).toHaveLength(1);
  const deliveryId = accepted.body.deliveries[0].id;

  const delivery = await waitFor(async () => {
    const answer = await api('GET', `/teams/demo/deliveries/${deliveryId}`, admin);
    return answer.body.status === 'succeeded' ? answer.body : undefined;
  }, { what: 'delivery to succeed' });
  expect(delivery.attempts).toHaveLength(1);
  expect(delivery.attempts[0]).toMatchObject({ number: 1, status: 200, error: null, responseBody: 'ok' });

  expect(receiver.requests).toHaveLength(1);
  const [request] = receiver.requests;
  expect(request.method).toBe('POST');
  expect(request.path).toBe('/hooks/wandb');
  expect(request.headers['content-type']).toBe('application/json');
  expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
  expect(request.headers['x-wandb-delivery']).toBe(deliveryId);
  expect(request.headers['user-agent']).toMatch(/^registry-webhooks\//);
  expect(request.headers['x-wandb-signature']).toBe(opensslSignature(SIGNING_SECRET, request.body));

  const body = JSON.parse(request.body);
  expect(body).toEqual({
    event_type: 'BUILD_AND_DEPLOY',
    client_payload: {
      type: 'LINK_ARTIFACT', author: 'al"ice\\', entity: 'acme', project: 'model-registry', collection: 'churn-model',
      version: 'wandb-artifact://_id/QXJ0aWZhY3Q6MTIz', version_string: 'acme/model-registry/churn-model:v3',
      alias: 'production', tag: '', accuracy: '0.93', note: 'quote " and backslash \\ and\nnewline',
    },
  });
  expect(delivery.payload).toBe(request.body);

  // A retried report: same deliveries, nothing sent twice.
  const again = await api('POST', '/teams/demo/events', local.registryKey, event('evt-7f3a', 'churn-model'));
  expect(again.status).toBe(200);
  expect(again.body).toEqual({ eventId: 'evt-7f3a', duplicate: true, deliveries: accepted.body.deliveries });
  const listed = await api('GET', '/teams/demo/deliveries?eventId=evt-7f3a', admin);
  expect(listed.body.items).toHaveLength(1);
  expect(receiver.requests).toHaveLength(1);
});

test('no secret value in any answer or in what local mode printed', () => {
  expect(answers.length).toBeGreaterThan(5);
  for (const secret of [SIGNING_SECRET, ACCESS_TOKEN, JSON.stringify(SIGNING_SECRET).slice(1, -1)]) {
    for (const answer of answers) expect(answer.text).not.toContain(secret);
    expect(local.output()).not.toContain(secret);
  }
});
