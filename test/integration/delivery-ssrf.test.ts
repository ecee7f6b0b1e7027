/**
 * SSRF at delivery time, end to end through local mode: a webhook whose host is a DNS name
 * (accepted at configuration time) that resolves to loopback is refused when the delivery is
 * sent — the attempt is recorded as blocked and nothing reaches the receiver — while the same
 * name, allow-listed with WEBHOOK_ALLOW_HOSTS, is delivered (the control).
 *
 * Which name: on this kind of machine the only non-localhost names resolving to loopback come
 * from /etc/hosts and are single-label (`vm`), which the configuration-time rules already
 * refuse (asserted below), so such a webhook cannot be configured at all. When the system
 * resolver knows a dotted name that points at loopback and passes the configuration rules,
 * that name is used over real DNS. Otherwise the local mode child resolves a reserved
 * `.test` name to 127.0.0.1 through a test-only lookup stub (support/dns-stub.cjs) — nothing in
 * /etc/hosts changes and no query leaves the machine. The sender's own real-DNS check of a
 * loopback name is in test/unit/http-sender.test.ts.
 */
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkWebhookUrl } from '../../lambdas/domain/url-policy';
import { call } from './support/http';
import { finished, hookUp, report, waitForDelivery } from './support/deliveries';
import { removeDataDir, startLocalMode, type LocalModeProcess } from './support/local-mode';
import { startReceiver, type Receiver } from './support/receiver';

const STUB_NAME = 'hooks.ssrf-loopback.test';
const DNS_STUB = path.join(__dirname, 'support', 'dns-stub.cjs');

/** Non-localhost names from os.hostname() and /etc/hosts that the system resolver maps to 127.x. */
async function realLoopbackNames(): Promise<string[]> {
  let hosts = '';
  try {
    hosts = readFileSync('/etc/hosts', 'utf8');
  } catch {
    // no hosts file: only os.hostname() is a candidate
  }
  const fromHosts = hosts.split('\n').flatMap((line) => line.replace(/#.*/, '').trim().split(/\s+/).slice(1));
  const candidates = [...new Set([os.hostname(), ...fromHosts].map((n) => n.toLowerCase()))].filter((n) => n !== '' && n !== 'localhost' && !n.endsWith('.localhost'));
  const found: string[] = [];
  for (const name of candidates) {
    try {
      const answers = await dns.promises.lookup(name, { all: true, verbatim: true });
      if (answers.length > 0 && answers.every((a) => a.address.startsWith('127.') || a.address === '::1')) found.push(name);
    } catch {
      // not resolvable here
    }
  }
  return found;
}

let receiver: Receiver;
let loopbackNames: string[] = [];
/** The dotted name used for the end-to-end case, and whether it resolves over real DNS. */
let target: { name: string; realDns: boolean };
const started: LocalModeProcess[] = [];

async function localMode(allowHosts: string): Promise<LocalModeProcess> {
  const env: Record<string, string> = { RETRY_SCHEDULE: '0.5', ATTEMPT_TIMEOUT_MS: '2000', WEBHOOK_ALLOW_HOSTS: allowHosts };
  if (!target.realDns) {
    env.TEST_DNS_STUB = `${target.name}=127.0.0.1`;
    env.NODE_OPTIONS = [process.env.NODE_OPTIONS ?? '', `--require=${DNS_STUB}`].join(' ').trim();
  }
  const local = await startLocalMode({ env });
  started.push(local);
  return local;
}

beforeAll(async () => {
  receiver = await startReceiver();
  loopbackNames = await realLoopbackNames();
  const dotted = loopbackNames.find((name) => checkWebhookUrl(`http://${name}/`, new Set()).ok);
  target = dotted ? { name: dotted, realDns: true } : { name: STUB_NAME, realDns: false };
});

afterAll(async () => {
  for (const local of started) {
    await local.stop();
    removeDataDir(local.dataDir);
  }
  await receiver?.close();
});

test('configuration time: loopback names that fail the URL rules (single-label, localhost, IPs) are refused with 400', async () => {
  const local = await localMode('');
  const refusedNames = [...loopbackNames.filter((name) => !checkWebhookUrl(`http://${name}/`, new Set()).ok), 'localhost', '127.0.0.1'];
  if (os.hostname() && !os.hostname().includes('.')) expect(refusedNames).toContain(os.hostname().toLowerCase());
  for (const name of refusedNames) {
    const answer = await call(local.baseUrl, 'POST', '/teams/demo/webhooks', {
      key: local.adminKey, body: { name: `refused-${name.replace(/[^a-z0-9]/gi, '-')}`, url: `http://${name}:${receiver.port}/hook` },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('VALIDATION_FAILED');
    expect(answer.body.error.message).toMatch(/^url: /);
  }
  expect((await call(local.baseUrl, 'GET', '/teams/demo/webhooks', { key: local.adminKey })).body.items).toEqual([]);
});

test('delivery time: a dotted name resolving to loopback is accepted as config, then its first attempt is blocked, which fails the delivery, and nothing reaches the receiver', async () => {
  const local = started[0] ?? (await localMode(''));
  const url = `http://${target.name}:${receiver.port}/hook`;
  const { webhookId } = await hookUp(local, { name: 'ssrf-hook', url, collection: 'model-ssrf' });
  const [id] = await report(local, 'evt-ssrf', 'model-ssrf');

  const delivery = await waitForDelivery(local, id, finished('failed'));

  const blocked = new RegExp(`^blocked: ${target.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} resolves to a non-public address \\(127\\.0\\.0\\.1, loopback\\)$`);
  // Final at once: the address would be refused on every retry of the schedule.
  expect(delivery.attempts).toHaveLength(1);
  for (const attempt of delivery.attempts) {
    expect(attempt.status).toBeNull();
    expect(attempt.error).toMatch(blocked);
  }
  expect(delivery.url).toBe(url);

  // The test route goes through the same guard.
  const tested = await call(local.baseUrl, 'POST', `/teams/demo/webhooks/${webhookId}/test`, { key: local.adminKey, body: {} });
  expect(tested.status).toBe(200);
  expect(tested.body).toMatchObject({ ok: false, status: null });
  expect(tested.body.error).toMatch(blocked);

  expect(receiver.requests).toHaveLength(0);
});

test('control: the same name, allow-listed, resolves to the receiver and is delivered', async () => {
  const local = await localMode(target.name);
  await hookUp(local, { name: 'ssrf-allowed', url: `http://${target.name}:${receiver.port}/allowed`, collection: 'model-allowed' });
  const [id] = await report(local, 'evt-allowed', 'model-allowed');

  const delivery = await waitForDelivery(local, id, finished('succeeded'));

  expect(delivery.attempts).toEqual([expect.objectContaining({ number: 1, status: 200, error: null })]);
  expect(receiver.requests).toHaveLength(1);
  expect(receiver.requests[0].path).toBe('/allowed');
  expect(receiver.requests[0].headers.host).toBe(`${target.name}:${receiver.port}`);
  expect(receiver.requests[0].headers['x-wandb-delivery']).toBe(id);
});
