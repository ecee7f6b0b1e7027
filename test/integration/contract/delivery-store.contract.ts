/**
 * The DeliveryStore contract (lambdas/domain/ports.ts): what the worker, ingest, the log and
 * the sweeper rely on, checked the same way on every engine.
 */
import type { DeliveryStore } from '../../../lambdas/domain/ports';
import { deliveryIdFor } from '../../../lambdas/domain/delivery-ids';
import type { Attempt, Delivery } from '../../../lambdas/domain/types';

const T0 = Date.parse('2025-06-01T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0 + offsetMs);
const iso = (offsetMs: number) => at(offsetMs).toISOString();
const EXPIRES = at(30 * 86_400_000);

/** A new delivery as ingest writes it. */
export function newDelivery(id: string, overrides: Partial<Delivery> = {}): Delivery {
  return {
    id, team: 'acme', eventId: 'evt-1', automationId: 'au_1', webhookId: 'wh_1', url: 'https://hooks.example.com/in',
    status: 'pending', attempts: [], attemptCount: 0, roundAttempts: 0, nextAttemptAt: iso(0), createdAt: iso(0), updatedAt: iso(0),
    // JSON numbers DynamoDB numbers could not hold, and text that needs escaping: the template must come back exactly.
    template: { big: 12345678901234567890, tiny: 1e-300, text: 'é "quoted" ${alias}', list: [1, null, true] },
    ...overrides,
  };
}

function attempt(number: number, overrides: Partial<Attempt> = {}): Attempt {
  return { number, at: iso(number * 1000), status: 500, durationMs: 12, error: 'HTTP 500', responseBody: 'nope', ...overrides };
}

/** The delivery after one more failed attempt, waiting for a retry `inMs` from T0. */
function retrying(delivery: Delivery, inMs: number): Delivery {
  const number = delivery.attemptCount + 1;
  return {
    ...delivery, status: 'retrying', attempts: [...delivery.attempts, attempt(number)], attemptCount: number,
    roundAttempts: delivery.roundAttempts + 1, nextAttemptAt: iso(inMs), updatedAt: iso(number * 1000),
  };
}

function succeeded(delivery: Delivery): Delivery {
  const number = delivery.attemptCount + 1;
  return { ...delivery, status: 'succeeded', attempts: [...delivery.attempts, attempt(number, { status: 200, error: null, responseBody: 'ok' })], attemptCount: number, nextAttemptAt: null };
}

/** Defines the contract's tests; `store()` is a fresh, empty store of the engine under test. */
export function deliveryStoreContract(store: () => DeliveryStore): void {
  describe('createIfAbsent and get', () => {
    test('writes a new delivery once; a second write of the same id changes nothing', async () => {
      const deliveries = store();
      const first = newDelivery('dlv_a');
      expect(await deliveries.createIfAbsent(first, EXPIRES)).toBe(true);
      expect(await deliveries.createIfAbsent({ ...first, url: 'https://other.example.com/' }, EXPIRES)).toBe(false);
      expect(await deliveries.get('acme', 'dlv_a')).toEqual(first);
    });

    test('an unknown id is undefined', async () => {
      expect(await store().get('acme', 'dlv_missing')).toBeUndefined();
    });

    test('a delivery without a template (the default payload) comes back without one', async () => {
      const deliveries = store();
      const plain = newDelivery('dlv_plain', { template: undefined });
      await deliveries.createIfAbsent(plain, EXPIRES);
      expect(await deliveries.get('acme', 'dlv_plain')).toEqual(plain);
    });

    test('changing an object handed to or returned by the store does not change what is stored', async () => {
      const deliveries = store();
      const original = newDelivery('dlv_copy');
      await deliveries.createIfAbsent(original, EXPIRES);
      original.url = 'https://changed.example.com/';
      const loaded = (await deliveries.get('acme', 'dlv_copy'))!;
      loaded.attempts.push(attempt(1));
      expect(await deliveries.get('acme', 'dlv_copy')).toEqual(newDelivery('dlv_copy'));
    });
  });

  describe('saveAttemptResult and startNewRound', () => {
    test('save succeeds only while attemptCount is as expected', async () => {
      const deliveries = store();
      const created = newDelivery('dlv_s');
      await deliveries.createIfAbsent(created, EXPIRES);
      const next = retrying(created, 5000);
      expect(await deliveries.saveAttemptResult(next, 0)).toBe(true);
      expect(await deliveries.get('acme', 'dlv_s')).toEqual(next);
      // A duplicate message that recorded the same attempt number loses.
      expect(await deliveries.saveAttemptResult({ ...next, url: 'https://dup.example.com/' }, 0)).toBe(false);
      expect(await deliveries.get('acme', 'dlv_s')).toEqual(next);
    });

    test('a new round is conditional in the same way', async () => {
      const deliveries = store();
      const done = succeeded(newDelivery('dlv_r'));
      await deliveries.createIfAbsent(newDelivery('dlv_r'), EXPIRES);
      await deliveries.saveAttemptResult(done, 0);
      const round = { ...done, status: 'pending' as const, roundAttempts: 0, nextAttemptAt: iso(60_000) };
      expect(await deliveries.startNewRound(round, 0)).toBe(false);
      expect(await deliveries.startNewRound(round, 1)).toBe(true);
      expect(await deliveries.get('acme', 'dlv_r')).toEqual(round);
    });

    test('saving an unknown delivery is refused', async () => {
      expect(await store().saveAttemptResult(retrying(newDelivery('dlv_none'), 1000), 0)).toBe(false);
    });

    test('a record with many large attempts is saved, its newest attempt whole (storage may drop old ones)', async () => {
      const deliveries = store();
      let delivery = newDelivery('dlv_big');
      await deliveries.createIfAbsent(delivery, EXPIRES);
      const body = (n: number) => `${n}:`.padEnd(8192, '\u00e9');
      const attempts = Array.from({ length: 60 }, (_, index) => attempt(index + 1, { responseBody: body(index + 1) }));
      delivery = { ...delivery, status: 'failed', attempts, attemptCount: 60, nextAttemptAt: null };
      expect(await deliveries.saveAttemptResult(delivery, 0)).toBe(true);
      const stored = (await deliveries.get('acme', 'dlv_big'))!;
      expect(stored.attemptCount).toBe(60);
      expect(stored.attempts.at(-1)).toEqual(attempts.at(-1));
      const numbers = stored.attempts.map((a) => a.number);
      expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, index) => 61 - numbers.length + index));
    });
  });

  describe('claimAttempt', () => {
    test('one claim at a time until it expires; recording the attempt ends it', async () => {
      const deliveries = store();
      const created = newDelivery('dlv_c');
      await deliveries.createIfAbsent(created, EXPIRES);
      expect(await deliveries.claimAttempt('acme', 'dlv_c', 0, at(0), at(25_000))).toBe(true);
      expect(await deliveries.claimAttempt('acme', 'dlv_c', 0, at(1000), at(26_000))).toBe(false);
      expect(await deliveries.claimAttempt('acme', 'dlv_c', 0, at(25_000), at(50_000))).toBe(false); // not yet past `until`
      expect(await deliveries.claimAttempt('acme', 'dlv_c', 0, at(25_001), at(50_001))).toBe(true); // the holder died

      await deliveries.saveAttemptResult(retrying(created, 5000), 0);
      expect(await deliveries.claimAttempt('acme', 'dlv_c', 0, at(60_000), at(85_000))).toBe(false); // that attempt was made
      expect(await deliveries.claimAttempt('acme', 'dlv_c', 1, at(30_000), at(55_000))).toBe(true); // the next one is free at once
    });

    test('a finished or unknown delivery cannot be claimed', async () => {
      const deliveries = store();
      await deliveries.createIfAbsent(newDelivery('dlv_f'), EXPIRES);
      await deliveries.saveAttemptResult(succeeded(newDelivery('dlv_f')), 0);
      expect(await deliveries.claimAttempt('acme', 'dlv_f', 1, at(0), at(1000))).toBe(false);
      expect(await deliveries.claimAttempt('acme', 'dlv_unknown', 0, at(0), at(1000))).toBe(false);
    });

    test('a claim leaves the delivery as it was', async () => {
      const deliveries = store();
      await deliveries.createIfAbsent(newDelivery('dlv_same'), EXPIRES);
      await deliveries.claimAttempt('acme', 'dlv_same', 0, at(0), at(1000));
      expect(await deliveries.get('acme', 'dlv_same')).toEqual(newDelivery('dlv_same'));
    });
  });

  describe('list', () => {
    /** 7 deliveries of team acme a second apart (the newest is dlv_6), one of another team. */
    async function seeded(): Promise<DeliveryStore> {
      const deliveries = store();
      for (let index = 0; index < 7; index++) {
        await deliveries.createIfAbsent(newDelivery(`dlv_${index}`, {
          createdAt: iso(index * 1000), eventId: `evt-${index % 2}`, webhookId: index < 4 ? 'wh_1' : 'wh_2', automationId: index % 3 === 0 ? 'au_x' : 'au_1',
        }), EXPIRES);
      }
      await deliveries.createIfAbsent(newDelivery('dlv_other', { team: 'other', createdAt: iso(99_000) }), EXPIRES);
      await deliveries.saveAttemptResult(succeeded((await deliveries.get('acme', 'dlv_2'))!), 0);
      return deliveries;
    }

    test('newest first, page by page, with a null cursor after the last page', async () => {
      const deliveries = await seeded();
      const seen: string[] = [];
      let cursor: string | undefined;
      const sizes: number[] = [];
      do {
        const page = await deliveries.list({ team: 'acme', limit: 3, cursor });
        sizes.push(page.items.length);
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(['dlv_6', 'dlv_5', 'dlv_4', 'dlv_3', 'dlv_2', 'dlv_1', 'dlv_0']);
      expect(sizes).toEqual([3, 3, 1]);
    });

    test('a page that holds the rest exactly ends with a null cursor', async () => {
      const deliveries = await seeded();
      const first = await deliveries.list({ team: 'acme', limit: 7 });
      expect(first.items).toHaveLength(7);
      expect(first.nextCursor).toBeNull();
    });

    test.each([
      [{ status: 'succeeded' as const }, ['dlv_2']],
      [{ status: 'pending' as const }, ['dlv_6', 'dlv_5', 'dlv_4', 'dlv_3', 'dlv_1', 'dlv_0']],
      [{ webhookId: 'wh_2' }, ['dlv_6', 'dlv_5', 'dlv_4']],
      [{ automationId: 'au_x' }, ['dlv_6', 'dlv_3', 'dlv_0']],
      [{ eventId: 'evt-1', webhookId: 'wh_1' }, ['dlv_3', 'dlv_1']],
      [{ eventId: 'evt-nothing' }, []],
    ])('filters %p', async (filter, expected) => {
      const deliveries = await seeded();
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await deliveries.list({ team: 'acme', limit: 2, cursor, ...filter });
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(expected);
    });

    test('another team sees none of these, and their pages hold whole deliveries', async () => {
      const deliveries = await seeded();
      const page = await deliveries.list({ team: 'other', limit: 10 });
      expect(page).toEqual({ items: [newDelivery('dlv_other', { team: 'other', createdAt: iso(99_000) })], nextCursor: null });
    });

    test.each([
      ['garbage', () => 'not-a-cursor'],
      ['empty JSON', () => Buffer.from('{}').toString('base64url')],
    ])('a cursor this store did not make (%s) is refused as invalid', async (_what, cursor) => {
      await expect((await seeded()).list({ team: 'acme', limit: 2, cursor: cursor() })).rejects.toMatchObject({ kind: 'invalid', details: [expect.objectContaining({ field: 'cursor' })] });
    });

    // Either store's cursor form with an empty or over-long key: DynamoDB would refuse it as a key (a 500).
    test.each([
      ['an empty id', { team: 'acme', id: '' }],
      ['an id of 1,100 characters', { team: 'acme', id: 'x'.repeat(1100) }],
      ['an empty after', { team: 'acme', after: '' }],
      ['an after of 1,100 characters', { team: 'acme', after: 'x'.repeat(1100) }],
    ])('a cursor with %s is refused as invalid', async (_what, key) => {
      const cursor = Buffer.from(JSON.stringify(key)).toString('base64url');
      await expect((await seeded()).list({ team: 'acme', limit: 2, cursor })).rejects.toMatchObject({ kind: 'invalid', details: [expect.objectContaining({ field: 'cursor' })] });
    });

    test('cursorAfter goes on right after the delivery given, with the same filters', async () => {
      const deliveries = await seeded();
      const first = await deliveries.list({ team: 'acme', limit: 3 });
      const next = await deliveries.list({ team: 'acme', limit: 3, cursor: deliveries.cursorAfter('acme', first.items[0]) });
      expect(next.items.map((item) => item.id)).toEqual(['dlv_5', 'dlv_4', 'dlv_3']);
      const filtered = await deliveries.list({ team: 'acme', limit: 5, webhookId: 'wh_1', cursor: deliveries.cursorAfter('acme', first.items[2]) });
      expect(filtered.items.map((item) => item.id)).toEqual(['dlv_3', 'dlv_2', 'dlv_1', 'dlv_0']);
      await expect(deliveries.list({ team: 'other', limit: 2, cursor: deliveries.cursorAfter('acme', first.items[0]) })).rejects.toMatchObject({ kind: 'invalid' });
    });

    test("another team's cursor is refused as invalid", async () => {
      const deliveries = await seeded();
      const page = await deliveries.list({ team: 'acme', limit: 2 });
      await expect(deliveries.list({ team: 'other', limit: 2, cursor: page.nextCursor! })).rejects.toMatchObject({ kind: 'invalid' });
    });
  });

  describe('findCreatedBetween', () => {
    test('the webhook\'s deliveries created in [since, until) in the statuses asked for, oldest first, up to the limit', async () => {
      const deliveries = store();
      const id = (second: number, n: number) => deliveryIdFor('acme', `evt-${n}`, 'au_1', iso(second * 1000));
      const made: Array<[string, Delivery['status'], string]> = [
        [id(0, 0), 'failed', 'wh_1'], [id(1, 1), 'skipped', 'wh_1'], [id(2, 2), 'succeeded', 'wh_1'],
        [id(3, 3), 'failed', 'wh_2'], [id(4, 4), 'failed', 'wh_1'], [id(10, 5), 'failed', 'wh_1'],
      ];
      for (const [deliveryId, status, webhookId] of made) {
        const created = newDelivery(deliveryId, { webhookId, createdAt: iso(0) });
        await deliveries.createIfAbsent(created, EXPIRES);
        await deliveries.saveAttemptResult({ ...created, status, attemptCount: 1, nextAttemptAt: null }, 0);
      }
      await deliveries.createIfAbsent(newDelivery(deliveryIdFor('other', 'evt-9', 'au_1', iso(1000)), { team: 'other' }), EXPIRES);
      const query = { team: 'acme', webhookId: 'wh_1', since: at(0), until: at(10_000), statuses: ['failed', 'skipped'] as const, limit: 10 };
      expect((await deliveries.findCreatedBetween(query)).map((d) => d.id)).toEqual([id(0, 0), id(1, 1), id(4, 4)]);
      expect((await deliveries.findCreatedBetween({ ...query, limit: 2 })).map((d) => d.id)).toEqual([id(0, 0), id(1, 1)]);
      expect((await deliveries.findCreatedBetween({ ...query, since: at(1000), until: at(1001) })).map((d) => d.id)).toEqual([id(1, 1)]);
      expect(await deliveries.findCreatedBetween({ ...query, team: 'nobody' })).toEqual([]);
    });
  });

  describe('findDue', () => {
    test('lists deliveries waiting for a retry or a redelivery once due, earliest first; never new or finished ones', async () => {
      const deliveries = store();
      for (const id of ['dlv_new', 'dlv_soon', 'dlv_later', 'dlv_done', 'dlv_again']) await deliveries.createIfAbsent(newDelivery(id), EXPIRES);
      await deliveries.saveAttemptResult(retrying(newDelivery('dlv_later'), 60_000), 0);
      await deliveries.saveAttemptResult(retrying(newDelivery('dlv_soon'), 5000), 0);
      await deliveries.saveAttemptResult(succeeded(newDelivery('dlv_done')), 0);
      const redone = succeeded(newDelivery('dlv_again'));
      await deliveries.saveAttemptResult(redone, 0);
      await deliveries.startNewRound({ ...redone, status: 'pending', roundAttempts: 0, nextAttemptAt: iso(1000) }, 1);

      expect(await deliveries.findDue(at(0), 10)).toEqual([]);
      expect(await deliveries.findDue(at(5000), 10)).toEqual([
        { team: 'acme', id: 'dlv_again', attemptCount: 1, dueAt: at(1000) },
        { team: 'acme', id: 'dlv_soon', attemptCount: 1, dueAt: at(5000) },
      ]);
      expect(await deliveries.findDue(at(60_000), 2)).toEqual([
        { team: 'acme', id: 'dlv_again', attemptCount: 1, dueAt: at(1000) },
        { team: 'acme', id: 'dlv_soon', attemptCount: 1, dueAt: at(5000) },
      ]);
      expect((await deliveries.findDue(at(60_000), 10)).map((due) => due.id)).toEqual(['dlv_again', 'dlv_soon', 'dlv_later']);
    });

    test('a delivery leaves the due list when it finishes, and moves when its due time changes', async () => {
      const deliveries = store();
      await deliveries.createIfAbsent(newDelivery('dlv_m'), EXPIRES);
      const first = retrying(newDelivery('dlv_m'), 5000);
      await deliveries.saveAttemptResult(first, 0);
      const second = retrying(first, 90_000);
      await deliveries.saveAttemptResult(second, 1);
      expect(await deliveries.findDue(at(60_000), 10)).toEqual([]);
      expect(await deliveries.findDue(at(90_000), 10)).toEqual([{ team: 'acme', id: 'dlv_m', attemptCount: 2, dueAt: at(90_000) }]);
      await deliveries.saveAttemptResult(succeeded(second), 2);
      expect(await deliveries.findDue(at(90_000), 10)).toEqual([]);
    });

    test('postpone moves a waiting retry\'s due time (and its nextAttemptAt); never a new, finished or moved-on delivery', async () => {
      const deliveries = store();
      for (const id of ['dlv_wait', 'dlv_first', 'dlv_fin']) await deliveries.createIfAbsent(newDelivery(id), EXPIRES);
      const waiting = retrying(newDelivery('dlv_wait'), 5000);
      await deliveries.saveAttemptResult(waiting, 0);
      await deliveries.saveAttemptResult(succeeded(newDelivery('dlv_fin')), 0);

      expect(await deliveries.postpone('acme', 'dlv_wait', 0, at(70_000))).toBe(false); // moved on: 1 attempt recorded
      expect(await deliveries.postpone('acme', 'dlv_wait', 1, at(70_000))).toBe(true);
      expect(await deliveries.findDue(at(60_000), 10)).toEqual([]);
      expect(await deliveries.findDue(at(70_000), 10)).toEqual([{ team: 'acme', id: 'dlv_wait', attemptCount: 1, dueAt: at(70_000) }]);
      expect((await deliveries.get('acme', 'dlv_wait'))?.nextAttemptAt).toBe(iso(70_000));

      // A new delivery has no due entry to move, and a finished one waits for nothing.
      expect(await deliveries.postpone('acme', 'dlv_first', 0, at(70_000))).toBe(false);
      expect(await deliveries.postpone('acme', 'dlv_fin', 1, at(70_000))).toBe(false);
      expect(await deliveries.postpone('acme', 'dlv_unknown', 0, at(70_000))).toBe(false);
      expect((await deliveries.findDue(at(80_000), 10)).map((due) => due.id)).toEqual(['dlv_wait']);
      expect((await deliveries.get('acme', 'dlv_first'))?.nextAttemptAt).toBe(iso(0));
    });

    test('a cut-off past year 9999 still finds every waiting delivery', async () => {
      const deliveries = store();
      await deliveries.createIfAbsent(newDelivery('dlv_far'), EXPIRES);
      await deliveries.saveAttemptResult(retrying(newDelivery('dlv_far'), 36_000_000), 0);
      expect(await deliveries.findDue(new Date(8.64e15), 10)).toEqual([{ team: 'acme', id: 'dlv_far', attemptCount: 1, dueAt: at(36_000_000) }]);
    });
  });
}
