/**
 * `kill -9` of local mode with deliveries unfinished, then a restart on the same data
 * directory and keys: the startup sweep re-enqueues every unfinished delivery from the
 * durable store (local mode's queue is in memory), and each completes — a delivery waiting
 * for its retry, and one whose POST was in flight when the process died.
 */
import { finished, hookUp, report, waitForDelivery } from './support/deliveries';
import { removeDataDir, startLocalMode, tempDataDir, type LocalModeProcess } from './support/local-mode';
import { startReceiver, type Receiver } from './support/receiver';
import { waitFor } from './support/http';

const running: LocalModeProcess[] = [];
const receivers: Receiver[] = [];
const dataDirs: string[] = [];

afterAll(async () => {
  await Promise.all(running.map((local) => local.kill9()));
  await Promise.all(receivers.map((r) => r.close()));
  for (const dir of dataDirs) removeDataDir(dir);
});

async function start(dataDir: string, env: Record<string, string>): Promise<LocalModeProcess> {
  const local = await startLocalMode({ dataDir, env });
  running.push(local);
  return local;
}

function environment(attemptTimeoutMs: number): Record<string, string> {
  const key = Math.random().toString(36).slice(2);
  return {
    RETRY_SCHEDULE: '3,3,3',
    ATTEMPT_TIMEOUT_MS: String(attemptTimeoutMs),
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    LOCAL_ADMIN_KEY: `admin_crash_${key}_key`,
    LOCAL_REGISTRY_KEY: `registry_crash_${key}_key`,
  };
}

test('kill -9 while a delivery waits for its retry: after a restart it completes with 2 attempts', async () => {
  const dataDir = tempDataDir();
  dataDirs.push(dataDir);
  const env = environment(1000);
  const hook = await startReceiver();
  receivers.push(hook);
  hook.script = [{ status: 500, body: 'down' }];

  const first = await start(dataDir, env);
  await hookUp(first, { name: 'crash-retry', url: `${hook.url}/r`, collection: 'model-crash' });
  const [id] = await report(first, 'evt-crash-1', 'model-crash');
  const retrying = await waitForDelivery(first, id, (d) => d.status === 'retrying' && d.attempts.length === 1);
  expect(retrying.attempts[0]).toMatchObject({ number: 1, status: 500 });

  await first.kill9();
  // The crash came before attempt 2 (the step is ~3 s): only one POST so far.
  expect(hook.requests).toHaveLength(1);

  const second = await start(dataDir, env);
  expect(second.adminKey).toBe(first.adminKey);
  const done = await waitForDelivery(second, id, finished('succeeded'));
  expect(done.attempts.map((a: any) => [a.number, a.status])).toEqual([[1, 500], [2, 200]]);
  expect(hook.requests).toHaveLength(2);
  expect(hook.requests.map((r) => r.headers['x-wandb-delivery'])).toEqual([id, id]);
  expect(hook.requests[1].body).toBe(hook.requests[0].body);
  // The retry kept to its schedule across the crash: not earlier than the recorded due time.
  expect(hook.requests[1].at).toBeGreaterThanOrEqual(Date.parse(retrying.nextAttemptAt) - 1000);
  await second.stop();
});

test('kill -9 while the first POST is in flight (receiver hangs): after a restart the delivery completes', async () => {
  const dataDir = tempDataDir();
  dataDirs.push(dataDir);
  // A long attempt limit keeps the POST in flight until the kill.
  const env = environment(5000);
  const hook = await startReceiver();
  receivers.push(hook);
  hook.script = ['hang'];

  const first = await start(dataDir, env);
  await hookUp(first, { name: 'crash-inflight', url: `${hook.url}/h`, collection: 'model-inflight' });
  const [id] = await report(first, 'evt-crash-2', 'model-inflight');
  await waitFor(() => (hook.requests.length === 1 ? true : undefined), { what: 'the POST to reach the receiver' });
  const inFlight = await waitForDelivery(first, id, () => true);
  expect(inFlight).toMatchObject({ status: 'pending', attempts: [] });

  await first.kill9();

  const second = await start(dataDir, env);
  // The dead process's claim on attempt 1 runs out (attempt limit + margin), then it is made again.
  const done = await waitForDelivery(second, id, finished('succeeded'), { timeoutMs: 45_000 });
  // The attempt cut short by the crash was never recorded; the one after the restart was.
  expect(done.attempts).toEqual([expect.objectContaining({ number: 1, status: 200, error: null })]);
  expect(hook.requests.length).toBe(2);
  expect(hook.requests.map((r) => r.headers['x-wandb-delivery'])).toEqual([id, id]);
  expect(hook.requests[1].body).toBe(hook.requests[0].body);
  await second.stop();
});
