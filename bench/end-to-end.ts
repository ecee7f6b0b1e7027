/**
 * Figure 3 — end to end in local mode, plus the AWS request counts (figure 6) and local mode's
 * memory (figure 7) of the same run. Local mode runs in a child process (local-mode-process.ts);
 * this process reports events over real HTTP with the registry key, `concurrency` at a time, and
 * the receiver process takes the deliveries. Latency is event-to-receiver: from just before the
 * event's POST to the moment the receiver has the delivery's body (the template carries the
 * send time; see fixtures.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { RequestCount } from './aws-requests';
import { ChildChannel, startChild, waitForMessage } from './child';
import { ACCESS_TOKEN, benchEvent, SIGNING_SECRET, TEMPLATE } from './fixtures';
import type { BenchReceiver } from './receiver';
import { quantile, summarize, wallMs, type Summary } from './stats';

/** Sizes, from run.ts. */
export interface EndToEndOptions {
  rounds: number;
  eventsPerRound: number;
  warmupEvents: number;
  /** Event reports in flight at once. */
  concurrency: number;
}

/** What local mode reported at the end of the measured rounds. */
export interface LocalModeReport {
  requests: RequestCount[];
  peakRssMb: number;
  rssMb: number;
  heapUsedMb: number;
  maxRssMb: number;
}

export interface EndToEndResult {
  concurrency: number;
  eventsPerRound: number;
  rounds: number;
  eventsPerSecond: Summary;
  deliveriesPerSecond: Summary;
  p50LatencyMs: Summary;
  p99LatencyMs: Summary;
  /** Deliveries the receiver got in the measured rounds (one per event expected). */
  deliveries: number;
  /** POSTs beyond one per event (duplicates), over the measured rounds. */
  extraDeliveries: number;
  /** Local mode's RSS: right after start, and the peak sampled during the measured rounds. */
  idleRssMb: number;
  peakRssMb: number;
  /** Local mode's lifetime peak RSS (includes startup and warm-up). */
  maxRssMb: number;
  requests: RequestCount[];
  deliverConcurrency: number;
}

interface Ready {
  baseUrl: string;
  adminKey: string;
  registryKey: string;
  team: string;
  rssMb: number;
}

export async function runEndToEnd(receiver: BenchReceiver, options: EndToEndOptions): Promise<EndToEndResult> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rw-bench-local-'));
  const deliverConcurrency = Number(process.env.LOCAL_DELIVER_CONCURRENCY ?? 4);
  const child = startChild('local-mode-process.ts', [], {
    env: { PORT: '0', LOCAL_DATA_DIR: dataDir, WEBHOOK_ALLOW_HOSTS: '127.0.0.1', LOCAL_TEAM: 'demo', LOG_LEVEL: 'WARN' },
  });
  const channel = new ChildChannel(child);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency + 2 });
  try {
    const ready = await waitForMessage<Ready>(child, 'ready', 90_000);
    const api = apiClient(agent, ready.baseUrl);
    const team = ready.team;

    await api.expect('PUT', `/teams/${team}/secrets/HMAC_KEY`, ready.adminKey, { value: SIGNING_SECRET }, [200, 201]);
    await api.expect('PUT', `/teams/${team}/secrets/GH_TOKEN`, ready.adminKey, { value: ACCESS_TOKEN }, [200, 201]);
    const webhook = await api.expect('POST', `/teams/${team}/webhooks`, ready.adminKey, {
      name: 'bench-hook', url: `${receiver.url}/hooks/e2e`, secret: 'HMAC_KEY', accessToken: 'GH_TOKEN',
    }, [201]);
    await api.expect('POST', `/teams/${team}/automations`, ready.adminKey, {
      name: 'bench-on-link', description: 'benchmark', enabled: true,
      event: { type: 'LINK_ARTIFACT', collection: 'churn-model' },
      action: { type: 'WEBHOOK', webhookId: webhook.id, payload: TEMPLATE },
    }, [201]);

    /** Reports `count` events, `concurrency` at a time; returns when the last one was accepted. */
    const report = async (label: string, count: number): Promise<number> => {
      let next = 0;
      let lastAccepted = 0;
      await Promise.all(Array.from({ length: options.concurrency }, async () => {
        while (next < count) {
          const index = next++;
          const event = benchEvent(`evt-${label}-${index}`, wallMs());
          await api.expect('POST', `/teams/${team}/events`, ready.registryKey, event, [202]);
          lastAccepted = Math.max(lastAccepted, wallMs());
        }
      }));
      return lastAccepted;
    };

    // Warm-up: JIT, connection pools, the secret cache; then count only the measured rounds.
    await receiver.reset();
    await report('warm', options.warmupEvents);
    await receiver.waitForCount(options.warmupEvents, 120_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await receiver.reset();
    await channel.request('reset');

    const eventsPerSecond: number[] = [];
    const deliveriesPerSecond: number[] = [];
    const p50: number[] = [];
    const p99: number[] = [];
    let deliveries = 0;
    for (let round = 0; round < options.rounds; round++) {
      await receiver.reset();
      const started = wallMs();
      const lastAccepted = await report(`r${round}`, options.eventsPerRound);
      const stats = await receiver.waitForCount(options.eventsPerRound, 180_000);
      if (stats.signed !== stats.count || stats.authorized !== stats.count) throw new Error('end to end: a delivery arrived unsigned or without its token');
      eventsPerSecond.push(options.eventsPerRound / ((lastAccepted - started) / 1000));
      deliveriesPerSecond.push(options.eventsPerRound / ((stats.last - started) / 1000));
      p50.push(quantile(stats.latencies, 0.5));
      p99.push(quantile(stats.latencies, 0.99));
      deliveries += stats.count;
    }
    // Anything that arrives late would be a duplicate: give it a moment, then look.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const lastRound = await receiver.stats();
    const extraDeliveries = lastRound.count - options.eventsPerRound;
    const local = await channel.request<LocalModeReport>('report');
    return {
      concurrency: options.concurrency,
      eventsPerRound: options.eventsPerRound,
      rounds: options.rounds,
      eventsPerSecond: summarize(eventsPerSecond),
      deliveriesPerSecond: summarize(deliveriesPerSecond),
      p50LatencyMs: summarize(p50),
      p99LatencyMs: summarize(p99),
      deliveries,
      extraDeliveries,
      idleRssMb: ready.rssMb,
      peakRssMb: local.peakRssMb,
      maxRssMb: local.maxRssMb,
      requests: local.requests,
      deliverConcurrency,
    };
  } finally {
    agent.destroy();
    await channel.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A minimal JSON client over one keep-alive pool. */
function apiClient(agent: http.Agent, baseUrl: string) {
  const base = new URL(baseUrl);
  return {
    async expect(method: 'GET' | 'POST' | 'PUT', path: string, key: string, body: unknown, statuses: number[]): Promise<any> {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request({
          agent, method, hostname: base.hostname, port: base.port, path,
          headers: {
            Authorization: `Bearer ${key}`, 'Content-Type': 'application/json',
            ...(payload === undefined ? {} : { 'Content-Length': String(payload.length) }),
          },
        }, (res) => {
          let answer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (answer += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: answer }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(payload);
      });
      if (!statuses.includes(status)) throw new Error(`${method} ${path} answered ${status}: ${text.slice(0, 300)}`);
      return text ? JSON.parse(text) : undefined;
    },
  };
}
