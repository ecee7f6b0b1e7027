/**
 * Local mode survives `kill -9` at any moment. A registry keeps reporting events (two
 * deliveries each, to a receiver that alternates 500 and 200), re-sending every report that was
 * not answered with the same event id, while local mode is killed with SIGKILL 8 times, each
 * time at an arbitrary moment of that load, and restarted on the same data directory. Then:
 * every report was answered; every accepted delivery ended `succeeded` (or `failed` with its
 * whole schedule spent) and none stays stuck; every page of the deliveries list, and of each
 * `?status=` filter, answers 200, pages hold no duplicates, and agree with the items; and
 * nothing went to the dead-letter queue.
 */
import { call, waitFor, type ApiAnswer } from './support/http';
import { hookUp, registryEvent } from './support/deliveries';
import { removeDataDir, startLocalMode, tempDataDir, type LocalModeProcess } from './support/local-mode';
import { startReceiver, type Receiver } from './support/receiver';

const KILLS = 8;
/** Attempts a delivery may make: 1 + the schedule's entries. */
const SCHEDULE = '0.5,0.5,0.5,0.5,0.5,0.5';
const MAX_ATTEMPTS = SCHEDULE.split(',').length + 1;
/** How long after a restart's load starts each kill comes (ms): arbitrary moments, fixed so a failure can be replayed. */
const KILL_OFFSETS_MS = [350, 1200, 0, 800, 1500, 150, 950, 600];

const key = Math.random().toString(36).slice(2);
const env = {
  RETRY_SCHEDULE: SCHEDULE,
  ATTEMPT_TIMEOUT_MS: '1000',
  WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
  LOCAL_ADMIN_KEY: `admin_kill9_${key}_key`,
  LOCAL_REGISTRY_KEY: `registry_kill9_${key}_key`,
};
const dataDir = tempDataDir();
let hook: Receiver;
let local: LocalModeProcess | undefined;
const outputs: string[] = [];

afterAll(async () => {
  await local?.kill9();
  await hook?.close();
  removeDataDir(dataDir);
});

/**
 * The registry: reports events to whichever local mode is up, at most `parallel` at a time, a
 * little apart; a report not answered 200/202 (refused, cut off by the kill, a 5xx) goes back
 * in line and is sent again with the same id before any new event.
 */
class Registry {
  readonly answered = new Map<string, string[]>();
  readonly unanswered: string[] = [];
  /** Events whose report had to be sent again (refused while down, or cut off by a kill). */
  readonly resent = new Set<string>();
  producing = true;
  private running = true;
  private next = 0;
  private readonly workers: Promise<void>[];

  constructor(private readonly target: () => LocalModeProcess | undefined, parallel: number) {
    this.workers = Array.from({ length: parallel }, () => this.work());
  }

  private async work(): Promise<void> {
    while (this.running) {
      const again = this.unanswered.shift();
      if (again !== undefined) this.resent.add(again);
      const id = again ?? (this.producing ? `evt-k9-${String(++this.next).padStart(5, '0')}` : undefined);
      if (id === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      const ok = await this.report(id);
      if (!ok) this.unanswered.push(id);
      await new Promise((resolve) => setTimeout(resolve, ok ? 40 : 100));
    }
  }

  private async report(id: string): Promise<boolean> {
    const current = this.target();
    if (!current) return false;
    try {
      const answer = await call(current.baseUrl, 'POST', '/teams/demo/events', { key: env.LOCAL_REGISTRY_KEY, body: registryEvent(id, 'model-k9') });
      if (answer.status !== 200 && answer.status !== 202) return false;
      this.answered.set(id, answer.body.deliveries.map((delivery: { id: string }) => delivery.id));
      return true;
    } catch {
      return false; // refused or cut off: the process is down or was just killed
    }
  }

  sent(): number {
    return this.next;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }
}

/** Every page of the list (with this query), following cursors; each page must answer 200. */
async function allPages(baseUrl: string, query: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const page: ApiAnswer = await call(baseUrl, 'GET', `/teams/demo/deliveries?limit=100${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key: env.LOCAL_ADMIN_KEY });
    if (page.status !== 200) throw new Error(`deliveries page${query} answered ${page.status}: ${page.text}`);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
    if (cursor === null) return items;
  }
  throw new Error('the list did not end');
}

async function start(): Promise<LocalModeProcess> {
  const started = await startLocalMode({ dataDir, env });
  local = started;
  return started;
}

test(`${KILLS} kill -9s under load: every accepted delivery finishes, none is stuck, every page and filter answers and agrees`, async () => {
  hook = await startReceiver();
  // Alternating 500 and 200 for as long as the test can send.
  hook.script = Array.from({ length: 100_000 }, (_, index) => (index % 2 === 0 ? { status: 500, body: 'flaky' } : { status: 200, body: 'ok' }));

  let current = await start();
  await hookUp(current, { name: 'k9-a', url: `${hook.url}/a`, collection: 'model-k9' });
  await hookUp(current, { name: 'k9-b', url: `${hook.url}/b`, collection: 'model-k9' });
  const registry = new Registry(() => local, 6);

  for (let kill = 0; kill < KILLS; kill++) {
    // Let the load reach this process (a few reports answered), then kill it at an arbitrary moment.
    const before = registry.answered.size;
    await waitFor(() => (registry.answered.size >= before + 3 ? true : undefined), { what: `reports answered after restart ${kill}`, timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, KILL_OFFSETS_MS[kill]));
    local = undefined;
    await current.kill9();
    outputs.push(current.output());
    current = await start();
  }

  // No new events; every report still unanswered is sent again until answered.
  registry.producing = false;
  await waitFor(() => (registry.unanswered.length === 0 ? true : undefined), { what: 'every report answered', timeoutMs: 20_000 });
  await registry.stop();
  expect(registry.answered.size).toBe(registry.sent());

  const accepted = new Set([...registry.answered.values()].flat());
  // Every event made both deliveries (an event cut off between its record and its deliveries was completed by its re-send).
  for (const [eventId, deliveries] of registry.answered) expect([eventId, deliveries.length]).toEqual([eventId, 2]);

  // Everything finishes: nothing pending or retrying is left (bounded: retries are 0.5 s apart,
  // a claim held by a killed process runs out after the attempt limit + 10 s).
  let all: any[] = [];
  await waitFor(async () => {
    all = await allPages(current.baseUrl, '');
    return all.length === accepted.size && all.every((delivery) => delivery.status === 'succeeded' || delivery.status === 'failed') ? true : undefined;
  }, { what: 'every delivery to finish', timeoutMs: 45_000, intervalMs: 500 }).catch((error: Error) => {
    const open = all.filter((delivery) => delivery.status !== 'succeeded' && delivery.status !== 'failed');
    throw new Error(`${error.message}: ${all.length} listed of ${accepted.size} accepted; still open: ${JSON.stringify(open.slice(0, 5))}`);
  });

  // The list holds each accepted delivery once, and nothing else.
  const ids = all.map((delivery) => delivery.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(new Set(ids)).toEqual(accepted);
  for (const delivery of all) {
    if (delivery.status === 'failed') {
      // Failed only by its schedule: every attempt made, none succeeded.
      expect(delivery.attempts).toHaveLength(MAX_ATTEMPTS);
      expect(delivery.attempts.every((attempt: { status: number | null }) => attempt.status !== 200)).toBe(true);
    } else {
      expect(delivery.attempts[delivery.attempts.length - 1].status).toBe(200);
    }
    // Attempt numbers run 1..n with none lost or doubled across the kills.
    expect(delivery.attempts.map((attempt: { number: number }) => attempt.number)).toEqual(delivery.attempts.map((_: unknown, index: number) => index + 1));
  }

  // Every status filter answers 200 on every page and agrees with the items.
  for (const status of ['pending', 'retrying', 'succeeded', 'failed', 'skipped']) {
    const filtered = await allPages(current.baseUrl, `&status=${status}`);
    expect([status, filtered.map((delivery) => delivery.id).sort()]).toEqual([status, all.filter((delivery) => delivery.status === status).map((delivery) => delivery.id).sort()]);
  }
  // A sample of single reads agrees with the list (the list is read from the items; this is the item itself).
  for (const delivery of all.filter((_, index) => index % 25 === 0)) {
    const one = await call(current.baseUrl, 'GET', `/teams/demo/deliveries/${delivery.id}`, { key: env.LOCAL_ADMIN_KEY });
    expect(one.status).toBe(200);
    expect([one.body.id, one.body.status, one.body.attempts.length]).toEqual([delivery.id, delivery.status, delivery.attempts.length]);
  }

  outputs.push(current.output());
  // Nothing became a poison message along the way.
  expect(outputs.join('\n')).not.toContain('poison message');
  process.stdout.write(`kill-nine: ${KILLS} kills, ${registry.answered.size} events (${registry.resent.size} re-sent), ${accepted.size} deliveries, ${all.filter((d) => d.status === 'failed').length} failed by schedule, ${hook.requests.length} POSTs\n`);
}, 150_000);
