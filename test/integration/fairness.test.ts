/**
 * No noisy neighbour, over real HTTP against local mode (architecture.md, "A shared service"):
 * with a 3 s attempt timeout and another team's endpoint hanging on 120 deliveries, each of a
 * healthy webhook's 20 deliveries arrives within 2 s of its event's 202, and the hung endpoint
 * never has more attempts open than the in-flight bound lets it.
 */
import { PROCESS_IN_FLIGHT_PER_WEBHOOK, SLOW_WEBHOOK_IN_FLIGHT } from '../../lambdas/domain/services/in-flight';
import { waitFor } from './support/http';
import { hookUp, report } from './support/deliveries';
import { createKeyWithCli } from './support/keys-cli';
import { startLocalMode, removeDataDir, type LocalModeProcess } from './support/local-mode';
import { startReceiver, type Receiver } from './support/receiver';

const NOISY_TEAM = 'noisy';
const HUNG_DELIVERIES = 120;
const HEALTHY_DELIVERIES = 20;

let local: LocalModeProcess;
let hung: Receiver;
let healthy: Receiver;

beforeAll(async () => {
  [hung, healthy] = await Promise.all([startReceiver('hang'), startReceiver()]);
  local = await startLocalMode({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', ATTEMPT_TIMEOUT_MS: '3000' } });
}, 60_000);

afterAll(async () => {
  await local?.stop();
  await Promise.all([hung, healthy].map((receiver) => receiver?.close()));
  if (local) removeDataDir(local.dataDir);
});

test(`a healthy webhook's ${HEALTHY_DELIVERIES} deliveries each arrive within 2 s of their 202 while another team's endpoint hangs on ${HUNG_DELIVERIES}`, async () => {
  const noisyAdmin = await createKeyWithCli(local, { team: NOISY_TEAM, role: 'admin' });
  await hookUp({ baseUrl: local.baseUrl, adminKey: noisyAdmin }, { team: NOISY_TEAM, name: 'hangs', url: `${hung.url}/in`, collection: 'model-hung' });
  await hookUp(local, { name: 'healthy', url: `${healthy.url}/in`, collection: 'model-healthy' });

  // The hung backlog first, all at once: it is in the queue ahead of every healthy delivery.
  const hungIds = (await Promise.all(Array.from({ length: HUNG_DELIVERIES }, (_, n) => report(local, `evt-hung-${n}`, 'model-hung', NOISY_TEAM)))).flat();
  expect(hungIds).toHaveLength(HUNG_DELIVERIES);

  // Then the healthy events, spread over the first attempt timeouts of the hung ones (3 s),
  // each timed from its 202.
  const acceptedAt = new Map<string, number>();
  for (let n = 0; n < HEALTHY_DELIVERIES; n++) {
    const [id] = await report(local, `evt-healthy-${n}`, 'model-healthy');
    acceptedAt.set(id, Date.now());
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await waitFor(() => (healthy.requests.length >= HEALTHY_DELIVERIES ? true : undefined), { timeoutMs: 30_000, what: 'every healthy delivery at its receiver' });

  const latencies = healthy.requests.map((request) => {
    const accepted = acceptedAt.get(String(request.headers['x-wandb-delivery']));
    if (accepted === undefined) throw new Error(`unexpected delivery ${request.headers['x-wandb-delivery']}`);
    return request.at - accepted;
  });
  expect(latencies).toHaveLength(HEALTHY_DELIVERIES);
  for (const latency of latencies) expect(latency).toBeLessThanOrEqual(2000);

  // The hung endpoint got attempts (it is slowed down, not starved) but never more open at once
  // than the bound: the first wave (a process's share) plus the leases granted once it was marked slow.
  expect(hung.requests.length).toBeGreaterThan(0);
  expect(hung.maxOpen()).toBeLessThanOrEqual(PROCESS_IN_FLIGHT_PER_WEBHOOK + SLOW_WEBHOOK_IN_FLIGHT);
}, 120_000);
