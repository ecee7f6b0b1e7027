/**
 * Retries, failures and redelivery end to end: local mode with a retry schedule of seconds
 * (`RETRY_SCHEDULE=1,1,1`) and a 1 s attempt limit, real receivers on loopback, everything
 * observed over the HTTP API and at the receiver. Also the deliveries log's filters and paging.
 */
import { call, waitFor } from './support/http';
import { finished, hookUp, report, waitForDelivery } from './support/deliveries';
import { removeDataDir, startLocalMode, type LocalModeProcess } from './support/local-mode';
import { startReceiver, type Receiver } from './support/receiver';

const STEP_SECONDS = 1;
const SCHEDULE = [STEP_SECONDS, STEP_SECONDS, STEP_SECONDS];

let local: LocalModeProcess;
const receivers: Receiver[] = [];

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const started = await startReceiver(...args);
  receivers.push(started);
  return started;
}

beforeAll(async () => {
  local = await startLocalMode({
    env: { RETRY_SCHEDULE: SCHEDULE.join(','), ATTEMPT_TIMEOUT_MS: '1000', WEBHOOK_ALLOW_HOSTS: '127.0.0.1' },
  });
  const secret = await call(local.baseUrl, 'PUT', '/teams/demo/secrets/HMAC_KEY', { key: local.adminKey, body: { value: 'retry-test-signing-secret' } });
  expect(secret.status).toBe(201);
});

afterAll(async () => {
  await local?.stop();
  await Promise.all(receivers.map((r) => r.close()));
  if (local) removeDataDir(local.dataDir);
});

test('(a) 500, 500, 200: three attempts spaced by the schedule, the same body, signature and delivery id; then succeeded', async () => {
  const hook = await receiver();
  hook.script = [{ status: 500, body: 'down' }, { status: 500, body: 'still down' }, { status: 200, body: 'ok' }];
  await hookUp(local, { name: 'retry-a', url: `${hook.url}/a`, collection: 'model-a', secret: 'HMAC_KEY' });
  const [id] = await report(local, 'evt-a', 'model-a');

  const delivery = await waitForDelivery(local, id, finished('succeeded'));

  expect(hook.requests).toHaveLength(3);
  const gaps = hook.requests.slice(1).map((request, i) => request.at - hook.requests[i].at);
  for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(0.8 * STEP_SECONDS * 1000);
  expect(new Set(hook.requests.map((r) => r.body)).size).toBe(1);
  expect(new Set(hook.requests.map((r) => r.headers['x-wandb-signature'])).size).toBe(1);
  expect(hook.requests[0].headers['x-wandb-signature']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  expect(hook.requests.map((r) => r.headers['x-wandb-delivery'])).toEqual([id, id, id]);

  expect(delivery.attempts.map((a: any) => [a.number, a.status])).toEqual([[1, 500], [2, 500], [3, 200]]);
  expect(delivery.attempts.map((a: any) => a.responseBody)).toEqual(['down', 'still down', 'ok']);
  expect(delivery.attempts[0].error).toMatch(/500/);
  expect(delivery.attempts[2].error).toBeNull();
  expect(delivery).toMatchObject({ status: 'succeeded', nextAttemptAt: null, payload: hook.requests[0].body });
});

test('(a2) retries start within about a second of their due time while workers are free', async () => {
  const hook = await receiver();
  hook.script = [{ status: 500, body: 'down' }, { status: 500, body: 'still down' }, { status: 200, body: 'ok' }];
  await hookUp(local, { name: 'retry-timely', url: `${hook.url}/t`, collection: 'model-timely' });
  const [id] = await report(local, 'evt-timely', 'model-timely');

  // Each retry's due time, as the log shows it while the delivery waits for it.
  const dueTimes: string[] = [];
  await waitForDelivery(local, id, (delivery) => {
    if (delivery.status === 'retrying' && !dueTimes.includes(delivery.nextAttemptAt)) dueTimes.push(delivery.nextAttemptAt);
    return delivery.status === 'succeeded';
  });
  expect(dueTimes).toHaveLength(2);
  // SQS delays are whole seconds (rounded up, never early), so a retry arrives up to a second after its due time.
  const lateness = dueTimes.map((due, n) => hook.requests[n + 1].at - Date.parse(due));
  for (const late of lateness) {
    expect(late).toBeGreaterThanOrEqual(-50);
    expect(late).toBeLessThanOrEqual(1500);
  }
});

test('(b) a 302 is a failed attempt, recorded as such, and its Location is never followed', async () => {
  const elsewhere = await receiver();
  const hook = await receiver();
  hook.script = [{ status: 302, headers: { Location: `${elsewhere.url}/stolen` }, body: '' }];
  await hookUp(local, { name: 'retry-b', url: `${hook.url}/b`, collection: 'model-b' });
  const [id] = await report(local, 'evt-b', 'model-b');

  // The next attempt gets the fallback 200, which ends the delivery.
  const delivery = await waitForDelivery(local, id, finished('succeeded'));

  expect(delivery.attempts).toHaveLength(2);
  expect(delivery.attempts[0]).toMatchObject({ number: 1, status: 302 });
  expect(delivery.attempts[0].error).toMatch(/redirect/i);
  expect(delivery.attempts[1]).toMatchObject({ number: 2, status: 200, error: null });
  expect(hook.requests).toHaveLength(2);
  expect(elsewhere.requests).toHaveLength(0);
});

test('(c) a receiver that never answers is cut off at the attempt timeout: status null, error says timeout', async () => {
  const hook = await receiver();
  hook.script = ['hang'];
  await hookUp(local, { name: 'retry-c', url: `${hook.url}/c`, collection: 'model-c' });
  const [id] = await report(local, 'evt-c', 'model-c');

  const delivery = await waitForDelivery(local, id, finished('succeeded'));

  expect(delivery.attempts).toHaveLength(2);
  expect(delivery.attempts[0]).toMatchObject({ number: 1, status: null });
  expect(delivery.attempts[0].error).toMatch(/timeout/i);
  expect(delivery.attempts[0].durationMs).toBeGreaterThanOrEqual(900);
  expect(delivery.attempts[1]).toMatchObject({ number: 2, status: 200 });
});

test('(d) always 500: failed after 1 + len(schedule) attempts; redeliver starts a new round with the same id', async () => {
  const hook = await receiver({ status: 500, body: 'nope' });
  await hookUp(local, { name: 'retry-d', url: `${hook.url}/d`, collection: 'model-d' });
  const [id] = await report(local, 'evt-d', 'model-d');

  const failed = await waitForDelivery(local, id, finished('failed'));
  expect(failed.attempts.map((a: any) => [a.number, a.status])).toEqual([[1, 500], [2, 500], [3, 500], [4, 500]]);
  expect(failed.nextAttemptAt).toBeNull();
  expect(hook.requests).toHaveLength(1 + SCHEDULE.length);

  // An unknown id is 404.
  expect((await call(local.baseUrl, 'POST', `/teams/demo/deliveries/dlv_${'0'.repeat(32)}/redeliver`, { key: local.adminKey })).status).toBe(404);

  hook.fallback = { status: 200, body: 'back up' };
  const accepted = await call(local.baseUrl, 'POST', `/teams/demo/deliveries/${id}/redeliver`, { key: local.adminKey });
  expect(accepted.status).toBe(202);
  expect(accepted.body).toMatchObject({ id, status: 'pending' });

  const done = await waitForDelivery(local, id, finished('succeeded'));
  expect(done.id).toBe(id);
  expect(done.attempts.map((a: any) => [a.number, a.status])).toEqual([[1, 500], [2, 500], [3, 500], [4, 500], [5, 200]]);
  expect(done.nextAttemptAt).toBeNull();
  expect(hook.requests).toHaveLength(5);
  expect(hook.requests[4].headers['x-wandb-delivery']).toBe(id);
  expect(hook.requests[4].body).toBe(hook.requests[0].body);

  // A finished delivery can be redelivered again; the same id again.
  expect((await call(local.baseUrl, 'POST', `/teams/demo/deliveries/${id}/redeliver`, { key: local.adminKey })).status).toBe(202);
  const again = await waitForDelivery(local, id, (d) => d.status === 'succeeded' && d.attempts.length === 6);
  expect(again.attempts[5]).toMatchObject({ number: 6, status: 200 });
  expect(hook.requests.map((r) => r.headers['x-wandb-delivery'])).toEqual(Array(6).fill(id));
});

describe('(e) the deliveries log', () => {
  const events = ['evt-list-1', 'evt-list-2', 'evt-list-3', 'evt-list-4', 'evt-list-5'];
  let good: { webhookId: string; automationId: string };
  let bad: { webhookId: string; automationId: string };

  beforeAll(async () => {
    const okHook = await receiver({ status: 200, body: 'ok' });
    const failingHook = await receiver({ status: 500, body: 'no' });
    good = await hookUp(local, { name: 'list-good', url: `${okHook.url}/good`, collection: 'model-list' });
    bad = await hookUp(local, { name: 'list-bad', url: `${failingHook.url}/bad`, collection: 'model-list' });
    const ids: string[] = [];
    for (const event of events) ids.push(...(await report(local, event, 'model-list')));
    expect(ids).toHaveLength(10);
    await Promise.all(ids.map((id) => waitForDelivery(local, id, (d) => d.status === 'succeeded' || d.status === 'failed', { timeoutMs: 40_000 })));
  });

  async function list(query: string) {
    const answer = await call(local.baseUrl, 'GET', `/teams/demo/deliveries${query}`, { key: local.adminKey });
    expect(answer.status).toBe(200);
    return answer.body as { items: any[]; nextCursor: string | null };
  }

  /** Follows nextCursor from the first page; returns every page. */
  async function allPages(query: string, limit: number) {
    const pages: any[][] = [];
    let cursor: string | null = null;
    do {
      const separator = query ? '&' : '?';
      const page = await list(`${query}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      pages.push(page.items);
      cursor = page.nextCursor;
      expect(pages.length).toBeLessThan(100);
    } while (cursor);
    return pages;
  }

  test('filters by automationId, webhookId, eventId and status', async () => {
    const byAutomation = await list(`?automationId=${good.automationId}`);
    expect(byAutomation.items).toHaveLength(5);
    expect(byAutomation.items.every((d) => d.automationId === good.automationId && d.webhookId === good.webhookId && d.status === 'succeeded')).toBe(true);
    expect(new Set(byAutomation.items.map((d) => d.eventId))).toEqual(new Set(events));

    const byWebhook = await list(`?webhookId=${bad.webhookId}`);
    expect(byWebhook.items).toHaveLength(5);
    expect(byWebhook.items.every((d) => d.webhookId === bad.webhookId && d.status === 'failed')).toBe(true);

    const byEvent = await list('?eventId=evt-list-3');
    expect(byEvent.items).toHaveLength(2);
    expect(new Set(byEvent.items.map((d) => d.automationId))).toEqual(new Set([good.automationId, bad.automationId]));

    expect((await list(`?automationId=${bad.automationId}&status=failed`)).items).toHaveLength(5);
    expect((await list(`?automationId=${bad.automationId}&status=succeeded`)).items).toHaveLength(0);
    const failed = await list('?status=failed&limit=100');
    expect(failed.items.length).toBeGreaterThanOrEqual(5);
    expect(failed.items.every((d) => d.status === 'failed')).toBe(true);
    expect((await list('?eventId=evt-list-3&status=succeeded')).items.map((d) => d.automationId)).toEqual([good.automationId]);
  });

  test('newest first, and limit + nextCursor paging covers every item exactly once', async () => {
    const everything = await list('?limit=100');
    expect(everything.nextCursor).toBeNull();
    const created = everything.items.map((d) => d.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    // The most recent report's deliveries come first.
    expect(everything.items[0].eventId).toBe('evt-list-5');

    for (const [query, limit] of [['', 3], ['', 1], [`?automationId=${good.automationId}`, 2], [`?webhookId=${bad.webhookId}&status=failed`, 5]] as const) {
      const pages = await allPages(query, limit);
      const ids = pages.flat().map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      const expected = query === '' ? everything.items.map((d) => d.id) : (await list(`${query}&limit=100`)).items.map((d) => d.id);
      expect(ids).toEqual(expected);
    }
  });

  test.each([
    ['limit=0'], ['limit=101'], ['limit=abc'], ['limit=2.5'], ['limit=-1'],
    ['status=done'], ['status=SUCCEEDED'],
    ['cursor=not-a-cursor'], [`cursor=${Buffer.from(JSON.stringify({ team: 'other', id: 'x', createdSk: 'y' })).toString('base64url')}`],
  ])('a bad query (%s) is a 400 VALIDATION_FAILED', async (query) => {
    const answer = await call(local.baseUrl, 'GET', `/teams/demo/deliveries?${query}`, { key: local.adminKey });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('VALIDATION_FAILED');
  });
});

test('nothing printed by local mode carries the signing secret', async () => {
  await waitFor(() => (local.output().length > 0 ? true : undefined));
  expect(local.output()).not.toContain('retry-test-signing-secret');
});
