/**
 * A burst of event reports to one endpoint, ten at a time: every accepted event's delivery
 * reaches the receiver (none lost), each is recorded `succeeded` with one attempt, and the
 * receiver sees each delivery id once (at-least-once would allow more; we count them). The
 * measured time is printed, not asserted.
 */
import { call, waitFor } from './support/http';
import { hookUp, report } from './support/deliveries';
import { removeDataDir, startLocalMode, type LocalModeProcess } from './support/local-mode';
import { startReceiver, type Receiver } from './support/receiver';

const EVENTS = 60;
const AT_A_TIME = 10;

let local: LocalModeProcess;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  local = await startLocalMode({ env: { RETRY_SCHEDULE: '1,1,1', ATTEMPT_TIMEOUT_MS: '5000', WEBHOOK_ALLOW_HOSTS: '127.0.0.1' } });
});

afterAll(async () => {
  await local?.stop();
  await receiver?.close();
  if (local) removeDataDir(local.dataDir);
});

test(`a burst of ${EVENTS} events, ${AT_A_TIME} at a time: every delivery arrives and succeeds, none lost`, async () => {
  const { automationId } = await hookUp(local, { name: 'burst', url: `${receiver.url}/burst`, collection: 'model-burst' });

  const started = Date.now();
  const deliveryIds: string[] = [];
  const names = Array.from({ length: EVENTS }, (_, i) => `evt-burst-${String(i).padStart(3, '0')}`);
  for (let start = 0; start < names.length; start += AT_A_TIME) {
    const batch = await Promise.all(names.slice(start, start + AT_A_TIME).map((name) => report(local, name, 'model-burst')));
    for (const ids of batch) {
      expect(ids).toHaveLength(1);
      deliveryIds.push(ids[0]);
    }
  }
  const accepted = Date.now();
  expect(new Set(deliveryIds).size).toBe(EVENTS);

  const wanted = new Set(deliveryIds);
  await waitFor(() => {
    const seen = new Set(receiver.requests.map((r) => r.headers['x-wandb-delivery'] as string));
    return [...wanted].every((id) => seen.has(id)) ? true : undefined;
  }, { timeoutMs: 50_000, what: `all ${EVENTS} deliveries at the receiver` });
  const arrived = Date.now();

  // Every delivery is recorded succeeded, with one attempt (the log pages through all of them).
  const logged = await waitFor(async () => {
    const items: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await call(local.baseUrl, 'GET', `/teams/demo/deliveries?automationId=${automationId}&limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key: local.adminKey });
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return items.length === EVENTS && items.every((d) => d.status === 'succeeded') ? items : undefined;
  }, { timeoutMs: 20_000, what: 'all deliveries succeeded in the log' });
  expect(new Set(logged.map((d) => d.id))).toEqual(wanted);
  for (const delivery of logged) expect(delivery.attempts).toEqual([expect.objectContaining({ number: 1, status: 200 })]);

  const counts = new Map<string, number>();
  for (const request of receiver.requests) {
    const id = request.headers['x-wandb-delivery'] as string;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
  expect([...counts.keys()].every((id) => wanted.has(id))).toBe(true);
  for (const id of wanted) expect(counts.get(id)).toBeGreaterThanOrEqual(1);

  console.log(
    `burst: ${EVENTS} events (${AT_A_TIME} at a time) accepted in ${accepted - started} ms; ` +
      `all ${EVENTS} deliveries at the receiver ${arrived - started} ms after the first report; ` +
      `receiver got ${receiver.requests.length} POSTs, ${duplicates} duplicate(s)`,
  );
});
