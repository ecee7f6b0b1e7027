/**
 * Figure 8 — no noisy neighbour: a healthy webhook's latency (its event's 202 → the receiver has
 * the delivery), alone and then beside another team's endpoint that hangs on every POST, in one
 * local-mode run with a 3 s attempt timeout. The hung backlog is reported first, all of it, so it
 * sits in the queue ahead of every healthy delivery of the second phase.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ChildChannel, startChild, waitForMessage } from './child';
import { quantile } from './stats';

/** Sizes, from sizes.ts. */
export interface FairnessOptions {
  hungDeliveries: number;
  healthyDeliveries: number;
  /** Pause between two healthy event reports, ms (the healthy webhook's traffic is a steady trickle). */
  spacingMs: number;
}

export interface FairnessResult extends FairnessOptions {
  attemptTimeoutMs: number;
  alone: { p50Ms: number; p99Ms: number; maxMs: number };
  beside: { p50Ms: number; p99Ms: number; maxMs: number };
  /** beside / alone, p50 and p99 of this run. */
  p50Ratio: number;
  p99Ratio: number;
  /** The most POSTs the hung endpoint had open at once. */
  hungMaxOpen: number;
}

const ATTEMPT_TIMEOUT_MS = 3000;
const ROOT = path.resolve(__dirname, '..');

interface Ready {
  baseUrl: string;
  adminKey: string;
  registryKey: string;
  team: string;
}

/** A receiver: answers 200 (recording when each delivery arrived) or never answers (counting open POSTs). */
async function startTarget(hang: boolean) {
  const arrivals = new Map<string, number>();
  let open = 0;
  let maxOpen = 0;
  const server = http.createServer((request, response) => {
    const at = Date.now();
    open += 1;
    maxOpen = Math.max(maxOpen, open);
    response.once('close', () => (open -= 1));
    request.resume();
    request.on('end', () => {
      arrivals.set(String(request.headers['x-wandb-delivery']), at);
      if (!hang) response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`,
    arrivals,
    maxOpen: () => maxOpen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function api(baseUrl: string, method: string, pathname: string, key: string, body: unknown): Promise<any> {
  const response = await fetch(`${baseUrl}${pathname}`, { method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${pathname} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function hookUp(baseUrl: string, team: string, key: string, name: string, url: string, collection: string): Promise<void> {
  const webhook = await api(baseUrl, 'POST', `/teams/${team}/webhooks`, key, { name, url });
  await api(baseUrl, 'POST', `/teams/${team}/automations`, key, {
    name: `${name}-automation`, enabled: true, event: { type: 'LINK_ARTIFACT', collection }, action: { type: 'WEBHOOK', webhookId: webhook.id, payload: { event: '${event_type}' } },
  });
}

function event(id: string, collection: string) {
  return {
    id, type: 'LINK_ARTIFACT', timestamp: new Date().toISOString(), author: 'bench', alias: null,
    artifact: { collection, version: `wandb-artifact://_id/${id}`, versionString: `acme/model-registry/${collection}:v1`, metadata: {} },
  };
}

export async function runFairness(options: FairnessOptions): Promise<FairnessResult> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rw-bench-fair-'));
  const [hung, healthy] = await Promise.all([startTarget(true), startTarget(false)]);
  const child = startChild('local-mode-process.ts', [], {
    env: { PORT: '0', LOCAL_DATA_DIR: dataDir, WEBHOOK_ALLOW_HOSTS: '127.0.0.1', LOCAL_TEAM: 'demo', LOG_LEVEL: 'ERROR', ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS) },
  });
  const channel = new ChildChannel(child);
  try {
    const ready = await waitForMessage<Ready>(child, 'ready', 90_000);
    // The other team's admin key, made the way an operator makes one (the keys CLI, --local).
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/keys.ts', 'create', '--team', 'noisy', '--role', 'admin', '--local'], {
      cwd: ROOT, env: { ...process.env, LOCAL_DATA_DIR: dataDir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const noisyKey = stdout.trim().split('\n').pop()!.trim();
    await hookUp(ready.baseUrl, 'noisy', noisyKey, 'hangs', hung.url, 'model-hung');
    await hookUp(ready.baseUrl, ready.team, ready.adminKey, 'healthy', healthy.url, 'model-healthy');

    /** Reports the healthy events one by one; returns each delivery's 202 → arrival time. */
    const healthyRound = async (label: string): Promise<number[]> => {
      const accepted = new Map<string, number>();
      for (let n = 0; n < options.healthyDeliveries; n++) {
        const answer = await api(ready.baseUrl, 'POST', `/teams/${ready.team}/events`, ready.registryKey, event(`evt-${label}-${n}`, 'model-healthy'));
        accepted.set(answer.deliveries[0].id, Date.now());
        await new Promise((resolve) => setTimeout(resolve, options.spacingMs));
      }
      const deadline = Date.now() + 60_000;
      while ([...accepted.keys()].some((id) => !healthy.arrivals.has(id))) {
        if (Date.now() > deadline) throw new Error(`fairness: healthy deliveries of ${label} did not all arrive`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return [...accepted].map(([id, at]) => healthy.arrivals.get(id)! - at);
    };
    const summary = (latencies: number[]) => ({ p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), maxMs: Math.max(...latencies) });

    await healthyRound('warm');
    const alone = summary(await healthyRound('alone'));
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < options.hungDeliveries) await api(ready.baseUrl, 'POST', '/teams/noisy/events', ready.registryKey, event(`evt-hung-${next++}`, 'model-hung'));
    }));
    const beside = summary(await healthyRound('beside'));
    return {
      ...options,
      attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
      alone,
      beside,
      p50Ratio: beside.p50Ms / alone.p50Ms,
      p99Ratio: beside.p99Ms / alone.p99Ms,
      hungMaxOpen: hung.maxOpen(),
    };
  } finally {
    await channel.stop();
    await Promise.all([hung.close(), healthy.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
