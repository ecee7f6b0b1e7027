/**
 * The two local modes the management API tests (test/integration/management/) run against,
 * each with the fixtures its tests expect, and the steps those tests share.
 *
 * - `startAsDeployed`: local mode as deployed (no WEBHOOK_ALLOW_HOSTS), so the webhook URL
 *   rules apply in full. It holds a member key and the secrets HMAC_KEY, GH_TOKEN and
 *   OTHER_SECRET. Webhooks there may name public hosts: no event or test POST is ever sent.
 * - `startWithReceivers`: 127.0.0.1 is exempt, so events and test POSTs reach two recording
 *   receivers on loopback (one answers 200 "ok", one 500). It holds the secrets HMAC_KEY and
 *   GH_TOKEN (values HMAC_VALUE and TOKEN_VALUE) and three webhooks: `signed` (both secrets),
 *   `plain` (none) and `failing` (signed, aimed at the 500 receiver). The retry schedule is
 *   600 s, so a failed attempt is not retried while the tests run.
 *
 * No request ever leaves the machine.
 */
import { createHmac } from 'node:crypto';
import { client, unique, type Client } from './api-session';
import { finished, waitForDelivery } from './deliveries';
import type { ApiAnswer } from './http';
import { removeDataDir, startLocalMode, type LocalModeProcess } from './local-mode';
import { startReceiver, type ReceivedRequest, type Receiver } from './receiver';

export const TEAM = 'demo';
/** The team's path prefix. */
export const T = `/teams/${TEAM}`;
export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Ids of a list answer's items (names, for lists of secrets). */
export function ids(answer: ApiAnswer): string[] {
  return answer.body.items.map((item: { id?: string; name?: string }) => item.id ?? item.name);
}

async function stopLocal(local: LocalModeProcess | undefined): Promise<void> {
  if (!local) return;
  await local.stop();
  removeDataDir(local.dataDir);
}

/** Stops what was started if the setup after it fails, so no local mode outlives its file. */
async function settingUp<R>(stop: () => Promise<void>, setUp: () => Promise<R>): Promise<R> {
  try {
    return await setUp();
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Everything a refused request must leave as it was: the team's keys, secrets, webhooks and automations. */
export interface Snapshot {
  keys: unknown;
  secrets: unknown;
  webhooks: unknown;
  automations: unknown;
}

/** Local mode as deployed, with its clients. */
export interface AsDeployed {
  local: LocalModeProcess;
  admin: Client;
  /** A member key of the team, named "reader". */
  member: Client;
  /** No key at all. */
  anonymous: Client;
  snapshot(): Promise<Snapshot>;
  stop(): Promise<void>;
}

/** Starts local mode as deployed with a member key and the secrets HMAC_KEY, GH_TOKEN and OTHER_SECRET. */
export async function startAsDeployed(): Promise<AsDeployed> {
  const local = await startLocalMode();
  const stop = () => stopLocal(local);
  return settingUp(stop, async () => {
    const admin = client(local.baseUrl, local.adminKey);
    const anonymous = client(local.baseUrl, undefined);
    const made = await admin.post(`${T}/keys`, { role: 'member', name: 'reader' });
    expect(made.status).toBe(201);
    const member = client(local.baseUrl, made.body.key);
    for (const name of ['HMAC_KEY', 'GH_TOKEN', 'OTHER_SECRET']) expect((await admin.put(`${T}/secrets/${name}`, { value: `value-of-${name}` })).status).toBe(201);
    const snapshot = async (): Promise<Snapshot> => {
      const [keys, secrets, webhooks, automations] = await Promise.all([admin.get(`${T}/keys`), admin.get(`${T}/secrets`), admin.get(`${T}/webhooks`), admin.get(`${T}/automations`)]);
      return { keys: keys.body, secrets: secrets.body, webhooks: webhooks.body, automations: automations.body };
    };
    return { local, admin, member, anonymous, snapshot, stop };
  });
}

/** The value of HMAC_KEY (the `signed` and `failing` webhooks sign with it). */
export const HMAC_VALUE = 'hmac-value-Xq7"\\-2f9c';
/** The value of GH_TOKEN (the `signed` webhook's access token). */
export const TOKEN_VALUE = 'gh-token-value-71b3a9e4';

/** The X-Wandb-Signature a body signed with HMAC_KEY carries. */
export function signature(body: string): string {
  return createHmac('sha256', HMAC_VALUE).update(body, 'utf8').digest('base64');
}

/** Local mode with receivers on loopback, its clients and webhooks, and the steps of its tests. */
export interface WithReceivers {
  local: LocalModeProcess;
  /** Answers every request 200 "ok". */
  receiver: Receiver;
  /** Answers every request 500 "receiver exploded". */
  failingReceiver: Receiver;
  admin: Client;
  registry: Client;
  signedHook: string;
  plainHook: string;
  failingHook: string;
  /** The requests `receiver` got for one delivery. */
  received(deliveryId: string): ReceivedRequest[];
  /** Waits until the log shows the delivery succeeded; asserts the receiver got it once; returns the log entry, the request and its parsed body. */
  delivered(deliveryId: string): Promise<{ log: any; request: ReceivedRequest; body: any }>;
  /** Creates an automation (a unique name unless given) and returns its id. */
  automation(body: Record<string, unknown>): Promise<string>;
  /** Reports an event with the registry key; asserts it was taken (202, or 200 for a duplicate). */
  report(event: Record<string, unknown>): Promise<ApiAnswer>;
  stop(): Promise<void>;
}

/** Starts the receivers and local mode (127.0.0.1 exempt, retries after 600 s), with the secrets and the three webhooks. */
export async function startWithReceivers(): Promise<WithReceivers> {
  const receiver = await startReceiver({ status: 200, body: 'ok' });
  const failingReceiver = await startReceiver({ status: 500, body: 'receiver exploded' });
  let local: LocalModeProcess | undefined;
  const stop = async () => {
    await stopLocal(local);
    await receiver.close();
    await failingReceiver.close();
  };
  return settingUp(stop, async () => {
    local = await startLocalMode({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', RETRY_SCHEDULE: '600' } });
    const running = local;
    const admin = client(running.baseUrl, running.adminKey);
    const registry = client(running.baseUrl, running.registryKey);
    expect((await admin.put(`${T}/secrets/HMAC_KEY`, { value: HMAC_VALUE })).status).toBe(201);
    expect((await admin.put(`${T}/secrets/GH_TOKEN`, { value: TOKEN_VALUE })).status).toBe(201);
    const webhook = async (body: Record<string, unknown>) => {
      const answer = await admin.post(`${T}/webhooks`, body);
      expect(answer.status).toBe(201);
      return answer.body.id as string;
    };
    const signedHook = await webhook({ name: 'signed', url: `${receiver.url}/signed`, secret: 'HMAC_KEY', accessToken: 'GH_TOKEN' });
    const plainHook = await webhook({ name: 'plain', url: `${receiver.url}/plain` });
    const failingHook = await webhook({ name: 'failing', url: `${failingReceiver.url}/down`, secret: 'HMAC_KEY' });

    const received = (deliveryId: string) => receiver.requests.filter((request) => request.headers['x-wandb-delivery'] === deliveryId);
    const delivered = async (deliveryId: string) => {
      const log = await waitForDelivery(running, deliveryId, finished('succeeded'), { what: `delivery ${deliveryId} to succeed` });
      const requests = received(deliveryId);
      expect(requests).toHaveLength(1);
      return { log, request: requests[0], body: JSON.parse(requests[0].body) };
    };
    const automation = async (body: Record<string, unknown>) => {
      const answer = await admin.post(`${T}/automations`, { name: unique('auto'), ...body });
      expect(answer.status).toBe(201);
      return answer.body.id as string;
    };
    const report = async (event: Record<string, unknown>) => {
      const answer = await registry.post(`${T}/events`, event);
      expect([200, 202]).toContain(answer.status);
      return answer;
    };
    return { local: running, receiver, failingReceiver, admin, registry, signedHook, plainHook, failingHook, received, delivered, automation, report, stop };
  });
}

/** Every delivery (X-Wandb-Delivery `dlv_…`) reached `receiver` exactly once, and there were more than `atLeast`. */
export function expectEachDeliveryReceivedOnce(receiver: Receiver, atLeast = 5): void {
  const byDelivery = new Map<string, number>();
  for (const request of receiver.requests) {
    const id = String(request.headers['x-wandb-delivery']);
    if (id.startsWith('dlv_')) byDelivery.set(id, (byDelivery.get(id) ?? 0) + 1);
  }
  expect(byDelivery.size).toBeGreaterThan(atLeast);
  expect([...byDelivery.entries()].filter(([, count]) => count !== 1)).toEqual([]);
}
