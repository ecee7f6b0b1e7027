/**
 * The admin CLI as an operator runs it: `npm run keys -- create --team T --role R --local`
 * against a running local mode, and the deployed path (`--table`) against a DynamoDB API —
 * here the local mode's own engine, reached through the SDK's standard endpoint variable.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { call } from './support/http';
import { keyFrom, runKeysCli } from './support/keys-cli';
import { removeDataDir, startLocalMode, tempDataDir, type LocalModeProcess } from './support/local-mode';

let local: LocalModeProcess;

const cli = (args: string[], dataDir = local.dataDir) => runKeysCli(args, { LOCAL_DATA_DIR: dataDir });

beforeAll(async () => {
  local = await startLocalMode();
});

afterAll(async () => {
  await local?.stop();
  if (local) removeDataDir(local.dataDir);
});

test('creates a team admin key that works for that team only', async () => {
  const key = keyFrom(await cli(['create', '--team', 'other', '--role', 'admin', '--name', 'first admin', '--local']));
  expect(key).toMatch(/^rwk_[A-Za-z0-9_-]{43}$/);
  expect((await call(local.baseUrl, 'GET', '/teams/other/webhooks', { key })).status).toBe(200);
  expect((await call(local.baseUrl, 'GET', '/teams/demo/webhooks', { key })).status).toBe(403);
  const keys = await call(local.baseUrl, 'GET', '/teams/other/keys', { key });
  expect(keys.body.items).toEqual([expect.objectContaining({ name: 'first admin', role: 'admin' })]);
  expect(keys.text).not.toContain(key);
});

test('creates a registry key valid for every team, for events only', async () => {
  const key = keyFrom(await cli(['create', '--team', 'any', '--role', 'registry', '--local']));
  const event = { id: 'evt-cli', type: 'LINK_ARTIFACT', artifact: { collection: 'm' } };
  expect((await call(local.baseUrl, 'POST', '/teams/team-a/events', { key, body: event })).status).toBe(202);
  expect((await call(local.baseUrl, 'POST', '/teams/team-b/events', { key, body: event })).status).toBe(202);
  expect((await call(local.baseUrl, 'GET', '/teams/team-a/webhooks', { key })).status).toBe(403);
});

test('the deployed path writes to the named config table with credentials from the environment', async () => {
  const runtime = JSON.parse(readFileSync(path.join(local.dataDir, 'runtime.json'), 'utf8'));
  const result = await runKeysCli(['create', '--team', 'deployed', '--role', 'member', '--table', runtime.configTable, '--region', 'us-east-1'], {
    AWS_ENDPOINT_URL_DYNAMODB: runtime.dynamodbEndpoint,
    AWS_ACCESS_KEY_ID: 'operator',
    AWS_SECRET_ACCESS_KEY: 'operator',
  });
  expect(result.stdout).toContain(`table ${runtime.configTable}`);
  const key = keyFrom(result);
  expect((await call(local.baseUrl, 'GET', '/teams/deployed/webhooks', { key })).status).toBe(200);
  expect((await call(local.baseUrl, 'POST', '/teams/deployed/webhooks', { key, body: {} })).status).toBe(403);
});

test('refuses bad arguments and a data dir where local mode is not running', async () => {
  expect((await cli(['create', '--team', 'x', '--role', 'owner', '--local'])).code).toBe(2);
  expect((await cli(['create', '--team', 'bad team', '--role', 'admin', '--local'])).code).toBe(2);
  expect((await cli(['delete', '--team', 'x', '--role', 'admin', '--local'])).code).toBe(2);
  const elsewhere = tempDataDir();
  const notRunning = await cli(['create', '--team', 'x', '--role', 'admin', '--local'], elsewhere);
  removeDataDir(elsewhere);
  expect(notRunning.code).toBe(1);
  expect(notRunning.stderr).toContain('local mode is not running');
});
