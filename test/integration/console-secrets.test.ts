/**
 * Secrets an admin creates directly in Secrets Manager (the AWS console), under
 * `<prefix>/<team>/<name>`, are listed and usable like ours — and only the team's own,
 * only API-addressable names. Local mode's Secrets Manager plays the console here.
 */
import { CreateSecretCommand, DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { signPayload } from '../../lambdas/domain/signing';
import { call, waitFor } from './support/http';
import { removeDataDir, startLocalMode, type LocalModeProcess } from './support/local-mode';
import { startReceiver, type Receiver } from './support/receiver';

let local: LocalModeProcess;
let receiver: Receiver;
let console_: SecretsManagerClient;
let prefix: string;

beforeAll(async () => {
  receiver = await startReceiver();
  local = await startLocalMode({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1' } });
  const runtime = JSON.parse(readFileSync(path.join(local.dataDir, 'runtime.json'), 'utf8'));
  prefix = runtime.secretPrefix;
  console_ = new SecretsManagerClient({ region: 'us-east-1', endpoint: runtime.secretsManagerEndpoint, credentials: { accessKeyId: 'admin', secretAccessKey: 'admin' } });
});

afterAll(async () => {
  console_?.destroy();
  await local?.stop();
  await receiver?.close();
  if (local) removeDataDir(local.dataDir);
});

test('a console-made secret is listed, signs deliveries, and can be deleted through the API', async () => {
  const value = 'made-in-the-console-4f1c';
  for (const [name, secret] of [
    [`${prefix}/demo/CONSOLE_HMAC`, value],
    [`${prefix}/other-team/NOT_OURS`, 'x'],
    [`${prefix}/demo/nested/NAME`, 'x'],
    [`elsewhere/demo/UNRELATED`, 'x'],
  ]) {
    await console_.send(new CreateSecretCommand({ Name: name, SecretString: secret }));
  }
  const admin = local.adminKey;
  const listed = await call(local.baseUrl, 'GET', '/teams/demo/secrets', { key: admin });
  expect(listed.body.items.map((item: { name: string }) => item.name)).toEqual(['CONSOLE_HMAC']);

  const webhook = await call(local.baseUrl, 'POST', '/teams/demo/webhooks', { key: admin, body: { name: 'console', url: `${receiver.url}/hook`, secret: 'CONSOLE_HMAC' } });
  expect(webhook.status).toBe(201);
  const automation = await call(local.baseUrl, 'POST', '/teams/demo/automations', { key: admin, body: {
    name: 'on-tag', event: { type: 'ADD_ARTIFACT_TAG' }, action: { type: 'WEBHOOK', webhookId: webhook.body.id },
  } });
  expect(automation.status).toBe(201);
  const event = { id: 'evt-console', type: 'ADD_ARTIFACT_TAG', artifact: { collection: 'churn-model' }, tag: 'reviewed' };
  expect((await call(local.baseUrl, 'POST', '/teams/demo/events', { key: local.registryKey, body: event })).status).toBe(202);
  const request = await waitFor(() => receiver.requests[0], { what: 'the signed POST' });
  expect(request.headers['x-wandb-signature']).toBe(signPayload(value, request.body));

  expect((await call(local.baseUrl, 'DELETE', '/teams/demo/secrets/CONSOLE_HMAC', { key: admin })).status).toBe(409);
  await call(local.baseUrl, 'DELETE', `/teams/demo/automations/${automation.body.id}`, { key: admin });
  await call(local.baseUrl, 'DELETE', `/teams/demo/webhooks/${webhook.body.id}`, { key: admin });
  expect((await call(local.baseUrl, 'DELETE', '/teams/demo/secrets/CONSOLE_HMAC', { key: admin })).status).toBe(204);
  await expect(console_.send(new DescribeSecretCommand({ SecretId: `${prefix}/demo/CONSOLE_HMAC` }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
});
