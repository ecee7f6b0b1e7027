/**
 * The delivery worker (lambdas/domain/services/delivery-worker.ts), one queue message at a
 * time, over in-memory ports and a hand-moved clock: duplicates and stale messages make no
 * POST, early messages hop, failures schedule the next attempt, a spent schedule fails the
 * delivery, Retry-After is honoured, a lost follow-up message is re-sent, two copies of one
 * message at once make one POST. (Keeping the stored record under its size limit is the
 * DynamoDB store's job: test/unit/delivery-item-size.test.ts.)
 */
import type { DeliveryMessage } from '../../lambdas/domain/ports';
import { redeliver } from '../../lambdas/domain/services/deliveries';
import { CLAIM_MARGIN_MS, processDeliveryMessage } from '../../lambdas/domain/services/delivery-worker';
import { sweepDueDeliveries } from '../../lambdas/domain/services/sweeper';
import { signPayload, standardWebhookHeaders } from '../../lambdas/domain/signing';
import { inMemoryDeps, seedDelivery, type FakeAnswer, type InMemoryDeps } from './support/in-memory-deps';

function first(deps: InMemoryDeps, id = 'dlv_1'): DeliveryMessage {
  return { team: 'demo', deliveryId: id, attempt: 1, notBefore: deps.clock.ms };
}

/** Takes the single message the worker queued, checking there was exactly one. */
function onlyQueued(deps: InMemoryDeps): DeliveryMessage {
  const sent = deps.queue.drain();
  expect(sent).toHaveLength(1);
  return sent[0];
}

/** Moves the clock to the message's due time and processes it. */
async function deliverWhenDue(deps: InMemoryDeps, message: DeliveryMessage) {
  deps.clock.ms = Math.max(deps.clock.ms, message.notBefore);
  return processDeliveryMessage(deps, message);
}

describe('one attempt', () => {
  test('a 2xx succeeds: one signed POST carrying the delivery id, recorded as attempt 1, nothing queued', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps);
    deps.sender.script = [{ status: 204, responseBody: 'thanks' }];

    const outcome = await processDeliveryMessage(deps, first(deps));

    expect(outcome.kind).toBe('attempted');
    expect(deps.sender.requests).toHaveLength(1);
    const [request] = deps.sender.requests;
    expect(request.url).toBe('https://hooks.example.com/in');
    expect(request.headers['X-Wandb-Delivery']).toBe('dlv_1');
    expect(request.headers['X-Wandb-Signature']).toBe(signPayload('signing-secret-value', request.body));
    expect(JSON.parse(request.body)).toEqual({ event: 'LINK_ARTIFACT', version: 'acme/model-registry/churn-model:v3' });
    const stored = deps.deliveries.stored('dlv_1');
    expect(stored).toMatchObject({ status: 'succeeded', nextAttemptAt: null, attemptCount: 1, roundAttempts: 1 });
    expect(stored.attempts).toEqual([{ number: 1, at: new Date(deps.clock.ms).toISOString(), status: 204, durationMs: 5, error: null, responseBody: 'thanks' }]);
    expect(deps.queue.sent).toEqual([]);
  });

  test('Standard Webhooks headers: the delivery id, this attempt\'s second, signed at send time; custom headers go along', async () => {
    const deps = inMemoryDeps({ retrySchedule: [5] });
    await seedDelivery(deps);
    await deps.webhooks.update((await deps.webhooks.get('demo', 'wh_1'))!, { ...(await deps.webhooks.get('demo', 'wh_1'))!, headers: { 'X-Team': 'ml' } });
    deps.sender.script = [{ status: 500 }, { status: 200 }];

    await processDeliveryMessage(deps, first(deps));
    const firstAt = deps.clock.ms;
    await deliverWhenDue(deps, onlyQueued(deps));

    const [one, two] = deps.sender.requests;
    expect(one.headers).toMatchObject({ 'X-Team': 'ml', ...standardWebhookHeaders(['signing-secret-value'], 'dlv_1', new Date(firstAt), one.body) });
    expect(two.headers).toMatchObject(standardWebhookHeaders(['signing-secret-value'], 'dlv_1', new Date(deps.clock.ms), two.body));
    expect(two.headers['webhook-timestamp']).not.toBe(one.headers['webhook-timestamp']);
  });

  test('after a rotation both values sign until the overlap ends, counted from the new value; a value signing a request is scrubbed from answers too', async () => {
    const deps = inMemoryDeps({ secretRotationOverlapSeconds: 60, retrySchedule: [59, 2] });
    await seedDelivery(deps);
    await deps.secrets.put('demo', 'HMAC_KEY', 'rotated-value');
    const rotatedAt = deps.clock.ms;
    deps.sender.script = [{ status: 500 }, { status: 500 }];

    await processDeliveryMessage(deps, first(deps));
    deps.clock.ms = rotatedAt + 59_999;
    await processDeliveryMessage(deps, { ...onlyQueued(deps), notBefore: deps.clock.ms });
    deps.clock.ms = rotatedAt + 60_000;
    await processDeliveryMessage(deps, { ...onlyQueued(deps), notBefore: deps.clock.ms });

    const at = (ms: number, values: string[], body: string) => standardWebhookHeaders(values, 'dlv_1', new Date(ms), body)['webhook-signature'];
    const [one, two, three] = deps.sender.requests;
    expect(one.headers['webhook-signature']).toBe(at(rotatedAt, ['rotated-value', 'signing-secret-value'], one.body));
    expect(two.headers['webhook-signature']).toBe(at(rotatedAt + 59_999, ['rotated-value', 'signing-secret-value'], two.body));
    expect(three.headers['webhook-signature']).toBe(at(rotatedAt + 60_000, ['rotated-value'], three.body));
    for (const request of [one, two, three]) expect(request.headers['X-Wandb-Signature']).toBe(signPayload('rotated-value', request.body));
    // A value a request was signed with is one the sender scrubs from what comes back.
    for (const request of [one, two]) expect(request.secrets).toEqual(expect.arrayContaining(['rotated-value', 'signing-secret-value']));
  });

  test('a message for a missing delivery is dropped without a POST', async () => {
    const deps = inMemoryDeps();
    expect(await processDeliveryMessage(deps, first(deps, 'dlv_gone'))).toEqual({ kind: 'stale' });
    expect(deps.sender.requests).toHaveLength(0);
  });
});

describe('stale and duplicate messages', () => {
  test('a duplicate of an attempt already made makes no POST (after success)', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps);
    await processDeliveryMessage(deps, first(deps));
    expect(deps.sender.requests).toHaveLength(1);

    expect(await processDeliveryMessage(deps, first(deps))).toEqual({ kind: 'stale' });
    expect(deps.sender.requests).toHaveLength(1);
    expect(deps.deliveries.stored('dlv_1').attemptCount).toBe(1);
  });

  test('a duplicate of an earlier attempt of a retrying delivery makes no POST and changes nothing', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps);
    deps.sender.fallback = { status: 500 };
    await processDeliveryMessage(deps, first(deps));
    await deliverWhenDue(deps, onlyQueued(deps));
    const before = deps.deliveries.stored('dlv_1');
    expect(before.attemptCount).toBe(2);

    expect(await processDeliveryMessage(deps, first(deps))).toEqual({ kind: 'stale' });
    expect(deps.sender.requests).toHaveLength(2);
    expect(deps.deliveries.stored('dlv_1')).toEqual(before);
  });

  test('a message for an attempt beyond the next one is dropped without a POST', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps);
    expect(await processDeliveryMessage(deps, { ...first(deps), attempt: 3 })).toEqual({ kind: 'stale' });
    expect(deps.sender.requests).toHaveLength(0);
    expect(deps.queue.sent).toEqual([]);
  });

  test('two copies of one message handled at the same time make one POST; the other copy comes back after the claim', async () => {
    const deps = inMemoryDeps({ attemptTimeoutMs: 2000 });
    await seedDelivery(deps);
    deps.sender.hold();

    const a = processDeliveryMessage(deps, first(deps));
    // Let the first copy reach the sender before the second starts.
    while (deps.sender.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const b = await processDeliveryMessage(deps, first(deps));
    expect(b).toEqual({ kind: 'claimed-elsewhere' });
    const comeback = onlyQueued(deps);
    expect(comeback).toEqual({ team: 'demo', deliveryId: 'dlv_1', attempt: 1, notBefore: deps.clock.ms + 2000 + CLAIM_MARGIN_MS + 1001 });

    deps.sender.release();
    expect((await a).kind).toBe('attempted');
    expect(await deliverWhenDue(deps, comeback)).toEqual({ kind: 'stale' });
    expect(deps.sender.requests).toHaveLength(1);
    expect(deps.deliveries.stored('dlv_1')).toMatchObject({ status: 'succeeded', attemptCount: 1 });
  });

  test('a claim whose holder died (never recorded the attempt) expires, and the copy then makes the attempt', async () => {
    const deps = inMemoryDeps({ attemptTimeoutMs: 1000 });
    await seedDelivery(deps);
    const now = new Date(deps.clock.ms);
    const until = new Date(deps.clock.ms + 1000 + CLAIM_MARGIN_MS);
    expect(await deps.deliveries.claimAttempt('demo', 'dlv_1', 0, now, until)).toBe(true);

    expect(await processDeliveryMessage(deps, first(deps))).toEqual({ kind: 'claimed-elsewhere' });
    expect(deps.sender.requests).toHaveLength(0);
    const comeback = onlyQueued(deps);
    expect(comeback.notBefore).toBeGreaterThan(until.getTime());

    // Even handled at the earliest moment the tolerance allows, the claim is over by then.
    deps.clock.ms = comeback.notBefore - 1000;
    expect((await processDeliveryMessage(deps, comeback)).kind).toBe('attempted');
    expect(deps.sender.requests).toHaveLength(1);
    expect(deps.deliveries.stored('dlv_1')).toMatchObject({ status: 'succeeded', attemptCount: 1 });
  });
});

describe('early messages hop', () => {
  test('a message early by more than 1 s is re-enqueued with the same attempt and due time, without touching the store', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps);
    deps.deliveries.failGet.add('dlv_1'); // proves the hop does not read the record
    const message = { team: 'demo', deliveryId: 'dlv_1', attempt: 1, notBefore: deps.clock.ms + 1500 };

    expect(await processDeliveryMessage(deps, message)).toEqual({ kind: 'hop' });
    expect(onlyQueued(deps)).toEqual(message);
    expect(deps.sender.requests).toHaveLength(0);
    expect(deps.deliveries.claims).toHaveLength(0);
  });

  test('a long wait hops message by message until due (the record is untouched meanwhile)', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps);
    let message = { team: 'demo', deliveryId: 'dlv_1', attempt: 1, notBefore: deps.clock.ms + 3 * 3600_000 };
    let hops = 0;
    // Each hop waits at most 15 minutes (the SQS delay limit); the clock follows it.
    while ((await processDeliveryMessage(deps, message)).kind === 'hop') {
      hops++;
      message = onlyQueued(deps);
      deps.clock.advance(Math.min(900_000, message.notBefore - deps.clock.ms));
    }
    expect(hops).toBe(12);
    expect(deps.sender.requests).toHaveLength(1);
  });

  test('a message early by less than the 1 s tolerance is treated as due', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps);
    const outcome = await processDeliveryMessage(deps, { team: 'demo', deliveryId: 'dlv_1', attempt: 1, notBefore: deps.clock.ms + 900 });
    expect(outcome.kind).toBe('attempted');
    expect(deps.sender.requests).toHaveLength(1);
  });
});

describe('failures and the retry schedule', () => {
  test('a failed attempt records it, sets nextAttemptAt from the schedule (±10%) and enqueues attempt n+1 for then', async () => {
    const deps = inMemoryDeps({ retrySchedule: [5, 300, 1800] });
    await seedDelivery(deps);
    deps.sender.script = [{ status: 500, responseBody: 'boom' }];
    const start = deps.clock.ms;

    const outcome = await processDeliveryMessage(deps, first(deps));

    expect(outcome.kind).toBe('attempted');
    const stored = deps.deliveries.stored('dlv_1');
    expect(stored).toMatchObject({ status: 'retrying', attemptCount: 1, roundAttempts: 1 });
    expect(stored.attempts).toEqual([expect.objectContaining({ number: 1, status: 500, error: 'HTTP 500', responseBody: 'boom' })]);
    const due = Date.parse(stored.nextAttemptAt!);
    expect(due - start).toBeGreaterThanOrEqual(4500);
    expect(due - start).toBeLessThanOrEqual(5500);
    expect(onlyQueued(deps)).toEqual({ team: 'demo', deliveryId: 'dlv_1', attempt: 2, notBefore: due });

    // Attempt 2 fails too: the next wait is the schedule's second step.
    deps.sender.script = [{ status: 502 }];
    await deliverWhenDue(deps, { team: 'demo', deliveryId: 'dlv_1', attempt: 2, notBefore: due });
    const after2 = deps.deliveries.stored('dlv_1');
    const wait2 = Date.parse(after2.nextAttemptAt!) - deps.clock.ms;
    expect(wait2).toBeGreaterThanOrEqual(270_000);
    expect(wait2).toBeLessThanOrEqual(330_000);
    expect(onlyQueued(deps)).toMatchObject({ attempt: 3, notBefore: Date.parse(after2.nextAttemptAt!) });
  });

  test('a blocked address fails the delivery at its first attempt: no retry is queued', async () => {
    const deps = inMemoryDeps({ retrySchedule: [5, 300, 1800] });
    await seedDelivery(deps);
    deps.sender.script = [{ status: null, failure: { kind: 'blocked-address', host: 'hooks.example.com', source: 'dns-answer', addresses: [{ address: '127.0.0.1', addressClass: 'loopback' }] } }];

    expect((await processDeliveryMessage(deps, first(deps))).kind).toBe('attempted');
    const stored = deps.deliveries.stored('dlv_1');
    expect(stored).toMatchObject({ status: 'failed', attemptCount: 1, nextAttemptAt: null });
    expect(stored.attempts[0].error).toBe('blocked: hooks.example.com resolves to a non-public address (127.0.0.1, loopback)');
    expect(deps.queue.sent).toEqual([]);
  });

  test.each<[string, FakeAnswer]>([
    ['a timeout', { status: null, failure: { kind: 'timeout', afterMs: 15000 } }],
    ['a DNS failure', { status: null, failure: { kind: 'dns', host: 'hooks.example.com', reason: 'lookup-failed', code: 'ENOTFOUND' } }],
    ['a refused connection', { status: null }],
    ['a TLS failure', { status: null, failure: { kind: 'tls', code: 'CERT_HAS_EXPIRED' } }],
    ['a redirect', { status: 302, failure: { kind: 'redirect', status: 302 } }],
  ])('%s is retried on the schedule', async (_what, answer) => {
    const deps = inMemoryDeps({ retrySchedule: [5] });
    await seedDelivery(deps);
    deps.sender.script = [answer];
    await processDeliveryMessage(deps, first(deps));
    expect(deps.deliveries.stored('dlv_1')).toMatchObject({ status: 'retrying', attemptCount: 1 });
    expect(onlyQueued(deps)).toMatchObject({ attempt: 2 });
  });

  test('a spent schedule ends failed after 1 + len(schedule) attempts, with nextAttemptAt null and nothing queued', async () => {
    const deps = inMemoryDeps({ retrySchedule: [1, 2, 3] });
    await seedDelivery(deps);
    deps.sender.fallback = { status: 500 };

    let message: DeliveryMessage | undefined = first(deps);
    let attempts = 0;
    while (message) {
      expect((await deliverWhenDue(deps, message)).kind).toBe('attempted');
      attempts++;
      const sent = deps.queue.drain();
      expect(sent.length).toBeLessThanOrEqual(1);
      message = sent[0];
    }
    expect(attempts).toBe(4);
    const stored = deps.deliveries.stored('dlv_1');
    expect(stored).toMatchObject({ status: 'failed', nextAttemptAt: null, attemptCount: 4 });
    expect(stored.attempts.map((a) => a.number)).toEqual([1, 2, 3, 4]);
    // Every attempt carried the same delivery id, body and signature.
    expect(new Set(deps.sender.requests.map((r) => r.headers['X-Wandb-Delivery']))).toEqual(new Set(['dlv_1']));
    expect(new Set(deps.sender.requests.map((r) => r.body)).size).toBe(1);
    expect(new Set(deps.sender.requests.map((r) => r.headers['X-Wandb-Signature'])).size).toBe(1);
  });

  test('an empty schedule fails the delivery after its first failed attempt', async () => {
    const deps = inMemoryDeps({ retrySchedule: [] });
    await seedDelivery(deps);
    deps.sender.fallback = { status: null, failure: { kind: 'connection-refused' } };
    await processDeliveryMessage(deps, first(deps));
    expect(deps.deliveries.stored('dlv_1')).toMatchObject({ status: 'failed', nextAttemptAt: null });
    expect(deps.deliveries.stored('dlv_1').attempts[0]).toMatchObject({ status: null, error: 'connection refused' });
    expect(deps.queue.sent).toEqual([]);
  });

  test.each([
    ['delta-seconds', '120', 120_000],
    ['an HTTP-date', new Date(Date.parse('2025-01-01T00:00:00.000Z') + 600_000).toUTCString(), 600_000],
  ])('Retry-After (%s) longer than the step is honoured', async (_form, header, expectedMs) => {
    const deps = inMemoryDeps({ retrySchedule: [5, 5] });
    await seedDelivery(deps);
    deps.sender.script = [{ status: 503, retryAfter: header }];
    await processDeliveryMessage(deps, first(deps));
    const stored = deps.deliveries.stored('dlv_1');
    expect(Date.parse(stored.nextAttemptAt!) - deps.clock.ms).toBe(expectedMs);
    expect(onlyQueued(deps)).toMatchObject({ attempt: 2, notBefore: deps.clock.ms + expectedMs });
  });

  test('Retry-After is bounded (12 h at most) and never shortens the step', async () => {
    const deps = inMemoryDeps({ retrySchedule: [300, 5] });
    await seedDelivery(deps);
    deps.sender.script = [{ status: 429, retryAfter: '1' }];
    await processDeliveryMessage(deps, first(deps));
    const shortWait = Date.parse(deps.deliveries.stored('dlv_1').nextAttemptAt!) - deps.clock.ms;
    expect(shortWait).toBeGreaterThanOrEqual(270_000);

    deps.sender.script = [{ status: 429, retryAfter: '9999999' }];
    await deliverWhenDue(deps, { ...onlyQueued(deps) });
    const longWait = Date.parse(deps.deliveries.stored('dlv_1').nextAttemptAt!) - deps.clock.ms;
    expect(longWait).toBe(43_200_000);
  });

  test('a lost follow-up message is re-sent when the recorded attempt\'s message comes back', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps);
    deps.sender.script = [{ status: 500 }];
    await processDeliveryMessage(deps, first(deps));
    const lost = onlyQueued(deps); // the follow-up never reaches the queue (e.g. a crash right after saving)
    deps.queue.sent.length = 0;

    // The attempt-1 message was not deleted, so it comes back.
    expect(await processDeliveryMessage(deps, first(deps))).toEqual({ kind: 'stale' });
    expect(deps.sender.requests).toHaveLength(1);
    expect(onlyQueued(deps)).toEqual(lost);

    deps.sender.script = [{ status: 200 }];
    expect((await deliverWhenDue(deps, lost)).kind).toBe('attempted');
    expect(deps.deliveries.stored('dlv_1')).toMatchObject({ status: 'succeeded', attemptCount: 2 });
  });

  test('a failure to enqueue the follow-up throws (so the message comes back) after the attempt is recorded', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps);
    deps.sender.script = [{ status: 500 }];
    deps.queue.failNext = true;
    await expect(processDeliveryMessage(deps, first(deps))).rejects.toThrow('injected failure');
    expect(deps.deliveries.stored('dlv_1')).toMatchObject({ status: 'retrying', attemptCount: 1 });

    // Its return re-sends the follow-up, with no second POST.
    await processDeliveryMessage(deps, first(deps));
    expect(onlyQueued(deps)).toMatchObject({ attempt: 2 });
    expect(deps.sender.requests).toHaveLength(1);
  });

  test('a sweep after a lost message re-enqueues the next attempt for its due time', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps);
    deps.sender.script = [{ status: 500 }];
    await processDeliveryMessage(deps, first(deps));
    const lost = onlyQueued(deps);
    expect(await sweepDueDeliveries(deps, new Date(lost.notBefore + 1))).toBe(1);
    expect(onlyQueued(deps)).toEqual(lost);
  });

  test('a missing secret is a failed attempt without a POST (status null), and retried; then a deleted webhook ends it', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps);
    await deps.secrets.delete('demo', 'HMAC_KEY');
    await processDeliveryMessage(deps, first(deps));
    expect(deps.deliveries.stored('dlv_1').attempts[0]).toMatchObject({ status: null, error: 'secret HMAC_KEY not found' });

    await deps.webhooks.delete((await deps.webhooks.get('demo', 'wh_1'))!);
    await deliverWhenDue(deps, onlyQueued(deps));
    expect(deps.deliveries.stored('dlv_1').attempts[0]).toMatchObject({ status: null, error: 'secret HMAC_KEY not found' });
    expect(deps.deliveries.stored('dlv_1').attempts[1]).toMatchObject({ number: 2, status: null, error: 'webhook was deleted' });
    expect(deps.deliveries.stored('dlv_1').status).toBe('failed');
    expect(deps.sender.requests).toHaveLength(0);
  });

  test('a storage failure while loading throws, so the message comes back', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps);
    deps.deliveries.failGet.add('dlv_1');
    await expect(processDeliveryMessage(deps, first(deps))).rejects.toThrow('injected failure');
    expect(deps.sender.requests).toHaveLength(0);
  });
});

describe('redelivery', () => {
  test('a failed delivery redelivered gets a new round with the same id and continued attempt numbers', async () => {
    const deps = inMemoryDeps({ retrySchedule: [1] });
    await seedDelivery(deps);
    deps.sender.fallback = { status: 500 };
    await processDeliveryMessage(deps, first(deps));
    await deliverWhenDue(deps, onlyQueued(deps));
    expect(deps.deliveries.stored('dlv_1')).toMatchObject({ status: 'failed', attemptCount: 2 });

    await redeliver(deps, 'demo', 'dlv_1');
    expect(deps.deliveries.stored('dlv_1')).toMatchObject({ status: 'pending', roundAttempts: 0, attemptCount: 2 });
    deps.sender.fallback = { status: 200 };
    await deliverWhenDue(deps, onlyQueued(deps));
    const stored = deps.deliveries.stored('dlv_1');
    expect(stored).toMatchObject({ status: 'succeeded', attemptCount: 3 });
    expect(stored.attempts.map((a) => [a.number, a.status])).toEqual([[1, 500], [2, 500], [3, 200]]);
    expect(deps.sender.requests.map((r) => r.headers['X-Wandb-Delivery'])).toEqual(['dlv_1', 'dlv_1', 'dlv_1']);
  });

  test('redelivering a delivery that is still retrying starts a new round now; the waiting retry becomes stale', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps);
    deps.sender.script = [{ status: 500 }];
    await processDeliveryMessage(deps, first(deps));
    const waitingRetry = onlyQueued(deps);
    expect(waitingRetry.notBefore).toBeGreaterThan(deps.clock.ms + 4000);

    await redeliver(deps, 'demo', 'dlv_1');
    expect(deps.deliveries.stored('dlv_1')).toMatchObject({ status: 'pending', roundAttempts: 0 });
    const now = onlyQueued(deps);
    expect(now).toMatchObject({ attempt: 2, notBefore: deps.clock.ms });
    deps.sender.script = [{ status: 200 }];
    await processDeliveryMessage(deps, now);
    expect(deps.deliveries.stored('dlv_1')).toMatchObject({ status: 'succeeded', attemptCount: 2 });

    expect(await deliverWhenDue(deps, waitingRetry)).toEqual({ kind: 'stale' });
    expect(deps.sender.requests).toHaveLength(2);
  });
});
