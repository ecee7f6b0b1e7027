/**
 * Endpoint health (lambdas/domain/services/webhook-health.ts, through the delivery worker) and
 * recover (recover.ts), over the in-memory ports: a 410 disables at once, a run of failures
 * disables only when long enough and with enough attempts, a success ends the run, a delivery
 * due while its webhook is disabled ends skipped with no POST, an admin's PATCH re-enables and
 * is notified, and recover replays exactly the failed and skipped deliveries of a window,
 * paced.
 */
import type { DeliveryMessage } from '../../../lambdas/domain/ports';
import { processDeliveryMessage } from '../../../lambdas/domain/services/delivery-worker';
import { MAX_RECOVER_WINDOW_MS, RECOVER_PACE_PER_SECOND, recoverWebhook } from '../../../lambdas/domain/services/recover';
import { GONE_REASON, MIN_FAILED_ATTEMPTS_TO_DISABLE } from '../../../lambdas/domain/services/webhook-health';
import { DISABLED_BY_ADMIN, updateWebhook } from '../../../lambdas/domain/services/webhooks';
import type { Delivery } from '../../../lambdas/domain/types';
import { inMemoryDeps, seedDelivery, type InMemoryDeps } from '../support/in-memory-deps';

const TEAM = 'demo';

function firstAttempt(id: string, deps: InMemoryDeps): DeliveryMessage {
  return { team: TEAM, deliveryId: id, attempt: 1, notBefore: deps.clock.ms };
}

async function health(deps: InMemoryDeps) {
  return (await deps.webhooks.get(TEAM, 'wh_1'))!.health;
}

describe('410 Gone', () => {
  test('disables the webhook after that one attempt, fails the delivery and notifies once', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps, 'dlv_a');
    deps.sender.script = [{ status: 410 }];

    const outcome = await processDeliveryMessage(deps, firstAttempt('dlv_a', deps));

    expect(outcome).toMatchObject({ kind: 'attempted', disabled: GONE_REASON });
    expect(deps.deliveries.stored('dlv_a')).toMatchObject({ status: 'failed', attemptCount: 1, nextAttemptAt: null });
    expect(deps.queue.sent).toEqual([]);
    expect(await health(deps)).toEqual({ enabled: false, disabledReason: GONE_REASON, disabledAt: new Date(deps.clock.ms).toISOString(), failingSince: new Date(deps.clock.ms).toISOString(), failedAttempts: 1 });
    expect(deps.notifier.sent).toEqual([{ event: 'webhook-disabled', webhookId: 'wh_1', reason: GONE_REASON }]);
  });

  test.each([
    ['its body cut off', { kind: 'response-cut-off', status: 410, connection: 'closed' } as const],
    ['its body still arriving at the deadline', { kind: 'timeout', afterMs: 15000 } as const],
  ])('a 410 status line with %s is Gone too: failed at once, webhook disabled (the status decides)', async (_, failure) => {
    const deps = inMemoryDeps();
    await seedDelivery(deps, 'dlv_a');
    deps.sender.script = [{ status: 410, failure }];

    const outcome = await processDeliveryMessage(deps, firstAttempt('dlv_a', deps));

    expect(outcome).toMatchObject({ kind: 'attempted', disabled: GONE_REASON });
    expect(deps.deliveries.stored('dlv_a')).toMatchObject({ status: 'failed', attemptCount: 1, nextAttemptAt: null });
    expect(deps.queue.sent).toEqual([]);
  });

  test('the next delivery that comes due ends skipped with no POST; a duplicate of its message changes nothing', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps, 'dlv_a');
    deps.sender.script = [{ status: 410 }];
    await processDeliveryMessage(deps, firstAttempt('dlv_a', deps));
    await seedDelivery(deps, 'dlv_b');

    expect(await processDeliveryMessage(deps, firstAttempt('dlv_b', deps))).toMatchObject({ kind: 'skipped' });
    expect(await processDeliveryMessage(deps, firstAttempt('dlv_b', deps))).toEqual({ kind: 'stale' });

    expect(deps.sender.requests).toHaveLength(1);
    expect(deps.deliveries.stored('dlv_b')).toMatchObject({ status: 'skipped', attemptCount: 0, attempts: [], nextAttemptAt: null });
    expect(await deps.deliveries.findDue(new Date(8.64e15), 10)).toEqual([]);
  });
});

describe('failing for a while', () => {
  const after = 60;

  /** Fails one attempt of a fresh delivery `n` seconds after the start. */
  async function failAt(deps: InMemoryDeps, start: number, seconds: number, id: string) {
    deps.clock.ms = start + seconds * 1000;
    await seedDelivery(deps, id);
    deps.sender.script = [{ status: 503 }];
    return processDeliveryMessage(deps, firstAttempt(id, deps));
  }

  test(`disables only once the run is ${after} s long and holds at least ${MIN_FAILED_ATTEMPTS_TO_DISABLE} failed attempts`, async () => {
    const deps = inMemoryDeps({ webhookDisableAfterSeconds: after });
    const start = deps.clock.ms;
    // Nine failures spread over two minutes: long enough, not enough attempts.
    for (let n = 0; n < MIN_FAILED_ATTEMPTS_TO_DISABLE - 1; n++) await failAt(deps, start, n * 15, `dlv_${n}`);
    expect(await health(deps)).toMatchObject({ enabled: true, failingSince: new Date(start).toISOString(), failedAttempts: 9 });
    // The tenth, 135 s into the run: both rules hold.
    const tenth = await failAt(deps, start, 135, 'dlv_9');
    expect(tenth).toMatchObject({ kind: 'attempted', disabled: `every attempt failed since ${new Date(start).toISOString()} (10 attempts)` });
    expect(await health(deps)).toMatchObject({ enabled: false, disabledReason: `every attempt failed since ${new Date(start).toISOString()} (10 attempts)` });
    expect(deps.notifier.sent).toHaveLength(1);
  });

  test('many attempts in a short run do not disable', async () => {
    const deps = inMemoryDeps({ webhookDisableAfterSeconds: after });
    const start = deps.clock.ms;
    for (let n = 0; n < 30; n++) await failAt(deps, start, n, `dlv_${n}`);
    expect(await health(deps)).toMatchObject({ enabled: true, failedAttempts: 30 });
    expect(deps.notifier.sent).toEqual([]);
  });

  test('a success in between ends the run: the clock starts again from the next failure', async () => {
    const deps = inMemoryDeps({ webhookDisableAfterSeconds: after });
    const start = deps.clock.ms;
    for (let n = 0; n < 12; n++) await failAt(deps, start, n * 5, `dlv_${n}`);
    deps.clock.ms = start + 61_000;
    await seedDelivery(deps, 'dlv_ok');
    deps.sender.script = [{ status: 200 }];
    await processDeliveryMessage(deps, firstAttempt('dlv_ok', deps));
    expect(await health(deps)).toEqual({ enabled: true, disabledReason: null, disabledAt: null, failingSince: null, failedAttempts: 0 });

    const next = await failAt(deps, start, 62, 'dlv_after');
    expect(next).toMatchObject({ disabled: null });
    expect(await health(deps)).toMatchObject({ enabled: true, failingSince: new Date(start + 62_000).toISOString(), failedAttempts: 1 });
  });

  test('a healthy success writes nothing to the webhook', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps, 'dlv_ok');
    const writes = jest.spyOn(deps.webhooks, 'recordSuccess');
    await processDeliveryMessage(deps, firstAttempt('dlv_ok', deps));
    expect(writes).not.toHaveBeenCalled();
  });

  test('a deleted webhook is not counted against anything', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps, 'dlv_gone', { webhookId: 'wh_deleted' });
    expect(await processDeliveryMessage(deps, firstAttempt('dlv_gone', deps))).toMatchObject({ kind: 'attempted', disabled: null });
    expect(await health(deps)).toMatchObject({ failingSince: null, failedAttempts: 0 });
  });
});

describe('re-enabling', () => {
  test('PATCH enabled: true clears the health fields and is notified; enabled: false disables, notified too', async () => {
    const deps = inMemoryDeps();
    await seedDelivery(deps, 'dlv_a');
    deps.sender.script = [{ status: 410 }];
    await processDeliveryMessage(deps, firstAttempt('dlv_a', deps));

    const enabled = await updateWebhook(deps, TEAM, 'wh_1', { enabled: true });
    expect(enabled).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null, failingSince: null });
    expect(await health(deps)).toEqual({ enabled: true, disabledReason: null, disabledAt: null, failingSince: null, failedAttempts: 0 });

    const disabled = await updateWebhook(deps, TEAM, 'wh_1', { enabled: false });
    expect(disabled).toMatchObject({ enabled: false, disabledReason: DISABLED_BY_ADMIN });
    expect(deps.notifier.sent.map((sent) => sent.event)).toEqual(['webhook-disabled', 'webhook-enabled', 'webhook-disabled']);

    // A PATCH that leaves `enabled` as it is touches no health field and notifies nothing.
    await updateWebhook(deps, TEAM, 'wh_1', { name: 'renamed', enabled: false });
    expect(deps.notifier.sent).toHaveLength(3);
  });
});

describe('recover', () => {
  /** Deliveries created a second apart from T0, in these states, to wh_1 (and one to another webhook). */
  async function seeded(states: Array<Delivery['status']>) {
    const deps = inMemoryDeps();
    const t0 = deps.clock.ms;
    const ids: string[] = [];
    for (const [index, status] of states.entries()) {
      const at = new Date(t0 + index * 1000).toISOString();
      const id = `dlv_${(t0 + index * 1000).toString(36).padStart(9, '0')}${String(index).padStart(24, '0')}`;
      const created = await seedDelivery(deps, id, { createdAt: at, nextAttemptAt: at, updatedAt: at });
      if (status !== 'pending') await deps.deliveries.saveAttemptResult({ ...created, status, attemptCount: 1, nextAttemptAt: null }, 0);
      ids.push(id);
    }
    deps.clock.ms = t0 + 60_000;
    return { deps, t0, ids };
  }

  test('starts a new round for the failed and skipped deliveries of the window only, paced, each once', async () => {
    const { deps, t0, ids } = await seeded(['failed', 'skipped', 'succeeded', 'pending', 'failed', 'failed']);
    const since = new Date(t0).toISOString();
    const until = new Date(t0 + 5000).toISOString(); // leaves out the last one

    expect(await recoverWebhook(deps, TEAM, 'wh_1', { since, until })).toEqual({ redelivered: 3 });

    const now = deps.clock.ms;
    expect(deps.queue.drain()).toEqual([ids[0], ids[1], ids[4]].map((deliveryId) => ({ team: TEAM, deliveryId, attempt: 2, notBefore: now })));
    for (const id of [ids[0], ids[1], ids[4]]) expect(deps.deliveries.stored(id)).toMatchObject({ status: 'pending', roundAttempts: 0 });
    expect(deps.deliveries.stored(ids[5])).toMatchObject({ status: 'failed' });
    // Nothing left to recover in the window: a second call starts nothing.
    expect(await recoverWebhook(deps, TEAM, 'wh_1', { since, until })).toEqual({ redelivered: 0 });
  });

  test(`first attempts are paced at ${RECOVER_PACE_PER_SECOND} a second`, async () => {
    const { deps, t0 } = await seeded(Array.from({ length: 25 }, () => 'failed' as const));
    expect(await recoverWebhook(deps, TEAM, 'wh_1', { since: new Date(t0).toISOString() })).toEqual({ redelivered: 25 });
    const offsets = deps.queue.drain().map((message) => message.notBefore - deps.clock.ms);
    expect(offsets).toEqual([...Array(10).fill(0), ...Array(10).fill(1000), ...Array(5).fill(2000)]);
  });

  test.each([
    ['a reversed window', (t0: number) => ({ since: new Date(t0 + 1000).toISOString(), until: new Date(t0).toISOString() }), 'since: must be before until'],
    ['an empty window', (t0: number) => ({ since: new Date(t0).toISOString(), until: new Date(t0).toISOString() }), 'since: must be before until'],
    ['a window over 30 days', (t0: number) => ({ since: new Date(t0).toISOString(), until: new Date(t0 + MAX_RECOVER_WINDOW_MS + 1).toISOString() }), 'until: must be at most 30 days after since'],
    ['no since', () => ({}), 'since:'],
    ['a since that is not a time', () => ({ since: 'yesterday' }), 'since:'],
    ['an unknown field', (t0: number) => ({ since: new Date(t0).toISOString(), limit: 5 }), 'limit'],
  ])('%s is refused as invalid, and nothing changes', async (_what, body, message) => {
    const { deps, t0, ids } = await seeded(['failed']);
    await expect(recoverWebhook(deps, TEAM, 'wh_1', body(t0))).rejects.toMatchObject({ kind: 'invalid', message: expect.stringContaining(message) });
    expect(deps.queue.sent).toEqual([]);
    expect(deps.deliveries.stored(ids[0])).toMatchObject({ status: 'failed' });
  });

  test('an unknown webhook is not found', async () => {
    const { deps, t0 } = await seeded(['failed']);
    await expect(recoverWebhook(deps, TEAM, 'wh_nope', { since: new Date(t0).toISOString() })).rejects.toMatchObject({ kind: 'not-found' });
  });
});

describe('rate limit', () => {
  test('over the limit, a message goes back to the queue for a later turn: no POST, no attempt recorded', async () => {
    const deps = inMemoryDeps();
    // Late in a second: the first message's turn is still open, the second's lies beyond the next window's wait.
    deps.clock.ms = Math.floor(deps.clock.ms / 1000) * 1000 + 999;
    await deps.secrets.put(TEAM, 'HMAC_KEY', 'signing-secret-value');
    await seedDelivery(deps, 'dlv_a');
    const hook = (await deps.webhooks.get(TEAM, 'wh_1'))!;
    await deps.webhooks.update(hook, { ...hook, rateLimit: 1 });
    await seedDelivery(deps, 'dlv_b');

    expect(await processDeliveryMessage(deps, firstAttempt('dlv_a', deps))).toMatchObject({ kind: 'attempted' });
    expect(await processDeliveryMessage(deps, firstAttempt('dlv_b', deps))).toEqual({ kind: 'rate-limited' });

    expect(deps.sender.requests).toHaveLength(1);
    expect(deps.deliveries.stored('dlv_b')).toMatchObject({ status: 'pending', attemptCount: 0, attempts: [] });
    const [back] = deps.queue.drain();
    expect(back).toMatchObject({ team: TEAM, deliveryId: 'dlv_b', attempt: 1 });
    expect(back.notBefore).toBeGreaterThan(deps.clock.ms);
  });
});
