/**
 * The admin CLI against a running local mode, as an operator runs it:
 * `npm run keys -- create --team T --role R --local` prints the key alone on its last line.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { call } from './support/http';
import { removeDataDir, startLocalMode, tempDataDir, type LocalModeProcess } from './support/local-mode';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
let local: LocalModeProcess;

async function keysCli(args: string[], dataDir: string) {
  try {
    const { stdout, stderr } = await run('npm', ['run', '-s', 'keys', '--', ...args], { cwd: ROOT, env: { ...process.env, LOCAL_DATA_DIR: dataDir, PORT: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const lastLine = (text: string) => text.trim().split('\n').pop() ?? '';

beforeAll(async () => {
  local = await startLocalMode();
});

afterAll(async () => {
  await local?.stop();
  if (local) removeDataDir(local.dataDir);
});

test('creates a team admin key that works for that team only', async () => {
  const result = await keysCli(['create', '--team', 'other', '--role', 'admin', '--name', 'first admin', '--local'], local.dataDir);
  expect(result.code).toBe(0);
  const key = lastLine(result.stdout);
  expect(key).toMatch(/^rwk_[A-Za-z0-9_-]{43}$/);
  expect((await call(local.baseUrl, 'GET', '/teams/other/webhooks', { key })).status).toBe(200);
  expect((await call(local.baseUrl, 'GET', '/teams/demo/webhooks', { key })).status).toBe(403);
  const keys = await call(local.baseUrl, 'GET', '/teams/other/keys', { key });
  expect(keys.body.items).toEqual([expect.objectContaining({ name: 'first admin', role: 'admin' })]);
  expect(keys.text).not.toContain(key);
});

test('creates a registry key valid for every team, for events only', async () => {
  const result = await keysCli(['create', '--team', 'any', '--role', 'registry', '--local'], local.dataDir);
  expect(result.code).toBe(0);
  const key = lastLine(result.stdout);
  const event = { id: 'evt-cli', type: 'LINK_ARTIFACT', artifact: { collection: 'm' } };
  expect((await call(local.baseUrl, 'POST', '/teams/team-a/events', { key, body: event })).status).toBe(202);
  expect((await call(local.baseUrl, 'POST', '/teams/team-b/events', { key, body: event })).status).toBe(202);
  expect((await call(local.baseUrl, 'GET', '/teams/team-a/webhooks', { key })).status).toBe(403);
});

test('refuses bad arguments and a data dir where local mode is not running', async () => {
  expect((await keysCli(['create', '--team', 'x', '--role', 'owner', '--local'], local.dataDir)).code).toBe(2);
  expect((await keysCli(['create', '--team', 'bad team', '--role', 'admin', '--local'], local.dataDir)).code).toBe(2);
  expect((await keysCli(['delete', '--team', 'x', '--role', 'admin', '--local'], local.dataDir)).code).toBe(2);
  const elsewhere = tempDataDir();
  const notRunning = await keysCli(['create', '--team', 'x', '--role', 'admin', '--local'], elsewhere);
  removeDataDir(elsewhere);
  expect(notRunning.code).toBe(1);
  expect(notRunning.stderr).toContain('local mode is not running');
});
