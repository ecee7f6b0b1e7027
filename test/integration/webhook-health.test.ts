/**
 * Endpoint health over real HTTP against local mode (api.md, "Endpoint health and limits"):
 * a webhook answered `410 Gone` is disabled after that one attempt, a delivery due while it is
 * disabled ends `skipped` with no POST, and PATCH `enabled: true` then `recover` over the window
 * delivers both, once each; a webhook failing for WEBHOOK_DISABLE_AFTER_SECONDS with at least 10
 * failed attempts is disabled and a WARN line names it, while a 200 in between resets
 * `failingSince`; `rateLimit: 5` holds a burst of 50 events to 5 attempt starts a second (+1
 * for clock edges) and all 50 arrive; bad recover windows and rate limits are refused and
 * change nothing.
 */
import { call, waitFor } from './support/http';
import { hookUp, report, waitForDelivery } from './support/deliveries';
import { startLocalMode, removeDataDir, type LocalModeProcess } from './support/local-mode';
import { startReceiver, type Receiver } from './support/receiver';

let local: LocalModeProcess;
const receivers: Receiver[] = [];

beforeAll(async () => {
  local = await startLocalMode({
    env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', RETRY_SCHEDULE: Array(14).fill('0.2').join(','), WEBHOOK_DISABLE_AFTER_SECONDS: '2', ATTEMPT_TIMEOUT_MS: '2000' },
  });
}, 60_000);

afterAll(async () => {
  await local?.stop();
  for (const receiver of receivers) await receiver.close();
  if (local) removeDataDir(local.dataDir);
});

async function receiver(): Promise<Receiver> {
  const started = await startReceiver();
  receivers.push(started);
  return started;
}

const getWebhook = async (id: string) => (await call(local.baseUrl, 'GET', `/teams/demo/webhooks/${id}`, { key: local.adminKey })).body;
const deliveryIdsSeen = (target: Receiver) => target.requests.map((request) => request.headers['x-wandb-delivery']);

test('410 Gone: disabled after one attempt; the next delivery is skipped; re-enable and recover deliver both once', async () => {
  const target = await receiver();
  target.script = [{ status: 410, body: 'gone' }];
  const windowStart = new Date(Date.now() - 1000).toISOString();
  const { webhookId } = await hookUp(local, { name: 'gone-hook', url: `${target.url}/in`, collection: 'model-gone' });

  const [first] = await report(local, 'evt-gone-1', 'model-gone');
  const failed = await waitForDelivery(local, first, (delivery) => delivery.status === 'failed');
  expect(failed.attempts).toEqual([expect.objectContaining({ number: 1, status: 410, error: 'HTTP 410' })]);
  expect(await getWebhook(webhookId)).toMatchObject({ enabled: false, disabledReason: 'the endpoint answered 410 Gone', disabledAt: expect.any(String) });

  const [second] = await report(local, 'evt-gone-2', 'model-gone');
  const skipped = await waitForDelivery(local, second, (delivery) => delivery.status === 'skipped');
  expect(skipped).toMatchObject({ attempts: [], nextAttemptAt: null });
  expect(target.requests).toHaveLength(1);
  const listed = await call(local.baseUrl, 'GET', `/teams/demo/deliveries?webhookId=${webhookId}&status=skipped`, { key: local.adminKey });
  expect(listed.body.items.map((delivery: { id: string }) => delivery.id)).toEqual([second]);

  const enabled = await call(local.baseUrl, 'PATCH', `/teams/demo/webhooks/${webhookId}`, { key: local.adminKey, body: { enabled: true } });
  expect(enabled.status).toBe(200);
  expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null, failingSince: null });
  // The WARN lines carry the context of the handler that wrote them (all run in one process):
  // the deliver worker disabled it, the api's PATCH enabled it again.
  const warnLine = (text: string) => local.output().split('\n').filter((line) => line.includes(text)).map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(warnLine(`webhook gone-hook (${webhookId}) of team demo disabled`)).toEqual([expect.objectContaining({ level: 'WARN', function_name: 'deliver', function_request_id: expect.any(String) })]);
  expect(warnLine(`webhook gone-hook (${webhookId}) of team demo enabled again`)).toEqual([expect.objectContaining({ level: 'WARN', function_name: 'api', function_request_id: expect.any(String) })]);

  const recovered = await call(local.baseUrl, 'POST', `/teams/demo/webhooks/${webhookId}/recover`, { key: local.adminKey, body: { since: windowStart } });
  expect(recovered).toMatchObject({ status: 202, body: { redelivered: 2 } });
  for (const id of [first, second]) await waitForDelivery(local, id, (delivery) => delivery.status === 'succeeded');
  expect(deliveryIdsSeen(target).slice(1).sort()).toEqual([first, second].sort());
  expect(target.requests).toHaveLength(3);
});

test('failing for WEBHOOK_DISABLE_AFTER_SECONDS with 10+ failed attempts disables it, and a WARN line names it; a 200 in between resets failingSince', async () => {
  const target = await receiver();
  target.fallback = { status: 503, body: 'down' };
  const { webhookId } = await hookUp(local, { name: 'flaky-hook', url: `${target.url}/in`, collection: 'model-flaky' });

  const [early] = await report(local, 'evt-flaky-1', 'model-flaky');
  const failing = await waitFor(async () => (await getWebhook(webhookId)).failingSince ?? undefined, { what: 'failingSince set' });
  target.fallback = { status: 200, body: 'ok' };
  await waitForDelivery(local, early, (delivery) => delivery.status === 'succeeded');
  expect(await getWebhook(webhookId)).toMatchObject({ enabled: true, failingSince: null });

  target.fallback = { status: 503, body: 'down again' };
  const started = Date.now();
  for (let n = 2; n <= 5; n++) await report(local, `evt-flaky-${n}`, 'model-flaky');
  const disabled = await waitFor(async () => {
    const hook = await getWebhook(webhookId);
    return hook.enabled === false ? hook : undefined;
  }, { timeoutMs: 45_000, what: 'webhook disabled' });
  expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  expect(Date.parse(disabled.failingSince)).toBeGreaterThan(Date.parse(failing));
  expect(disabled.disabledReason).toMatch(/^every attempt failed since \S+ \((\d+) attempts\)$/);
  expect(Number(/\((\d+) attempts\)/.exec(disabled.disabledReason)![1])).toBeGreaterThanOrEqual(10);
  await waitFor(() => (local.output().includes(`webhook flaky-hook (${webhookId}) of team demo disabled: every attempt failed since`) ? true : undefined), { what: 'the WARN line' });
  expect(local.output()).toMatch(new RegExp(`"level":"WARN".*webhook flaky-hook \\(${webhookId}\\) of team demo disabled`));
});

test.each([
  ['a reversed window', { since: '2026-01-02T00:00:00.000Z', until: '2026-01-01T00:00:00.000Z' }],
  ['a window over 30 days', { since: '2026-01-01T00:00:00.000Z', until: '2026-02-01T00:00:00.000Z' }],
  ['a since that is not a time', { since: 'last week' }],
])('recover with %s → 400, nothing changed', async (_what, body) => {
  const target = await receiver();
  const { webhookId } = await hookUp(local, { name: `bad-recover-${Math.random().toString(36).slice(2)}`, url: `${target.url}/in`, collection: 'model-bad-recover' });
  const before = await getWebhook(webhookId);
  const answer = await call(local.baseUrl, 'POST', `/teams/demo/webhooks/${webhookId}/recover`, { key: local.adminKey, body });
  expect(answer.status).toBe(400);
  expect(answer.body.error.code).toBe('VALIDATION_FAILED');
  expect(await getWebhook(webhookId)).toEqual(before);
});

test('rateLimit 5 and a burst of 50 events: no second at the receiver sees more than 5 (+1) attempt starts, and all 50 arrive once', async () => {
  const target = await receiver();
  const { webhookId } = await hookUp(local, { name: 'limited-hook', url: `${target.url}/in`, collection: 'model-limited' });
  const limited = await call(local.baseUrl, 'PATCH', `/teams/demo/webhooks/${webhookId}`, { key: local.adminKey, body: { rateLimit: 5 } });
  expect(limited.body).toMatchObject({ rateLimit: 5 });

  const ids = (await Promise.all(Array.from({ length: 50 }, (_, n) => report(local, `evt-limited-${n}`, 'model-limited')))).flat();
  expect(ids).toHaveLength(50);
  await waitFor(() => (target.requests.length >= 50 ? true : undefined), { timeoutMs: 60_000, what: '50 deliveries at the receiver' });
  const perSecond = new Map<number, number>();
  for (const request of target.requests) perSecond.set(Math.floor(request.at / 1000), (perSecond.get(Math.floor(request.at / 1000)) ?? 0) + 1);
  expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(6);
  expect(new Set(deliveryIdsSeen(target)).size).toBe(50);
  for (const id of ids.slice(0, 3)) expect((await waitForDelivery(local, id, (delivery) => delivery.status === 'succeeded')).attempts).toHaveLength(1);
}, 90_000);

test.each([[0], [10001], [1.5], ['x']])('rateLimit %p → 400, nothing changed', async (rateLimit) => {
  const target = await receiver();
  const { webhookId } = await hookUp(local, { name: `bad-limit-${Math.random().toString(36).slice(2)}`, url: `${target.url}/in`, collection: 'model-bad-limit' });
  const before = await getWebhook(webhookId);
  const patched = await call(local.baseUrl, 'PATCH', `/teams/demo/webhooks/${webhookId}`, { key: local.adminKey, body: { rateLimit } });
  expect(patched.status).toBe(400);
  expect(patched.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'rateLimit' })] });
  expect(await getWebhook(webhookId)).toEqual(before);
  const created = await call(local.baseUrl, 'POST', '/teams/demo/webhooks', { key: local.adminKey, body: { name: `never-${Math.random()}`, url: `${target.url}/in`, rateLimit } });
  expect(created.status).toBe(400);
});
