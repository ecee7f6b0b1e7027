/**
 * Local mode's engines as a running `npm start` has them:
 * - every socket the process listens on is bound to 127.0.0.1 (read from /proc/net/tcp and
 *   tcp6, matched to the process by socket inode via /proc/<pid>/fd), and they are exactly the
 *   endpoints runtime.json publishes — fauxqs's among them;
 * - runtime.json's SQS endpoint and queue URLs answer the SQS API;
 * - the local TTL sweep deletes expired items (a delivery and its event record whose
 *   `expiresAt` is moved into the past), and keeps live ones.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { finished, hookUp, registryEvent, report, waitForDelivery } from './support/deliveries';
import { call, waitFor } from './support/http';
import { removeDataDir, startLocalMode, type LocalModeProcess } from './support/local-mode';
import { startReceiver, type Receiver } from './support/receiver';

let local: LocalModeProcess;
let hook: Receiver;
let runtime: Record<string, any>;

beforeAll(async () => {
  hook = await startReceiver();
  local = await startLocalMode({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', LOCAL_TTL_SWEEP_INTERVAL_MS: '200' } });
  runtime = JSON.parse(readFileSync(path.join(local.dataDir, 'runtime.json'), 'utf8'));
});

afterAll(async () => {
  await local?.stop();
  await hook?.close();
  if (local) removeDataDir(local.dataDir);
});

/** A listening TCP socket: its address as text and its port. */
interface Listener { address: string; port: number; inode: string }

/** IPv4 `0100007F` (little-endian) → 127.0.0.1; IPv6 (4 little-endian words) → its groups; a v4-mapped one as IPv4. */
function decodeAddress(hex: string): string {
  if (hex.length === 8) return [3, 2, 1, 0].map((index) => parseInt(hex.slice(index * 2, index * 2 + 2), 16)).join('.');
  const bytes = Array.from({ length: 4 }, (_, word) => hex.slice(word * 8, word * 8 + 8).match(/../g)!.reverse()).flat();
  if (bytes.slice(0, 10).every((byte) => byte === '00') && bytes[10] === 'FF' && bytes[11] === 'FF') return bytes.slice(12).map((byte) => parseInt(byte, 16)).join('.');
  return Array.from({ length: 8 }, (_, group) => bytes[group * 2] + bytes[group * 2 + 1]).join(':').toLowerCase();
}

/** Every socket in LISTEN state (st 0A) in /proc/net/tcp and tcp6. */
function listeningSockets(): Listener[] {
  const found: Listener[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // no IPv6 on this machine: nothing can listen there
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') continue;
      const [addressHex, portHex] = fields[1].split(':');
      found.push({ address: decodeAddress(addressHex), port: parseInt(portHex, 16), inode: fields[9] });
    }
  }
  return found;
}

/** Socket inodes the process holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match) inodes.add(match[1]);
    } catch {
      // closed while being listed
    }
  }
  return inodes;
}

test('every local-mode listener is on 127.0.0.1, and they are the endpoints runtime.json names', () => {
  expect(decodeAddress('0100007F')).toBe('127.0.0.1');
  expect(decodeAddress('00000000')).toBe('0.0.0.0');
  expect(decodeAddress('0000000000000000FFFF00000100007F')).toBe('127.0.0.1');
  expect(decodeAddress('00000000000000000000000000000000')).toBe('0000:0000:0000:0000:0000:0000:0000:0000');

  const mine = socketInodes(local.child.pid!);
  const listeners = listeningSockets().filter((socket) => mine.has(socket.inode));
  // The API gateway, dynalite, fauxqs and the Secrets Manager emulator.
  expect(listeners.length).toBeGreaterThanOrEqual(4);
  expect(listeners.filter((socket) => socket.address !== '127.0.0.1')).toEqual([]);

  const published = ['baseUrl', 'dynamodbEndpoint', 'sqsEndpoint', 'secretsManagerEndpoint'].map((field) => {
    const url = new URL(runtime[field]);
    expect(url.hostname).toBe('127.0.0.1');
    return Number(url.port);
  });
  expect(listeners.map((socket) => socket.port).sort()).toEqual([...new Set(published)].sort());
});

test('runtime.json names the local SQS: its endpoint answers for the delivery queue and the dead-letter queue', async () => {
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: runtime.sqsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const queue = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: runtime.queueUrl, AttributeNames: ['QueueArn', 'RedrivePolicy'] }));
    const dlq = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: runtime.deadLetterQueueUrl, AttributeNames: ['QueueArn'] }));
    expect(queue.Attributes!.QueueArn).toMatch(/:registry-webhooks-deliveries$/);
    expect(JSON.parse(queue.Attributes!.RedrivePolicy!)).toMatchObject({ deadLetterTargetArn: dlq.Attributes!.QueueArn });
  } finally {
    sqs.destroy();
  }
});

test('the local TTL sweep deletes a delivery and an event record once their expiresAt has passed, and keeps live ones', async () => {
  await hookUp(local, { name: 'ttl', url: `${hook.url}/ttl`, collection: 'model-ttl' });
  const [expiring] = await report(local, 'evt-ttl-1', 'model-ttl');
  const [kept] = await report(local, 'evt-ttl-2', 'model-ttl');
  await waitForDelivery(local, expiring, finished('succeeded'));
  await waitForDelivery(local, kept, finished('succeeded'));

  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', endpoint: runtime.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  try {
    const past = Math.floor(Date.now() / 1000) - 60;
    await db.send(new UpdateCommand({ TableName: 'registry-webhooks-deliveries', Key: { team: 'demo', id: expiring }, UpdateExpression: 'SET expiresAt = :past', ExpressionAttributeValues: { ':past': past } }));
    await db.send(new UpdateCommand({ TableName: 'registry-webhooks-events', Key: { pk: 'demo#evt-ttl-1' }, UpdateExpression: 'SET expiresAt = :past', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':past': past } }));
  } finally {
    db.destroy();
  }

  await waitFor(async () => ((await call(local.baseUrl, 'GET', `/teams/demo/deliveries/${expiring}`, { key: local.adminKey })).status === 404 ? true : undefined), {
    what: 'the expired delivery to be deleted',
  });
  const page = await call(local.baseUrl, 'GET', '/teams/demo/deliveries', { key: local.adminKey });
  expect(page.status).toBe(200);
  expect(page.body.items.map((delivery: { id: string }) => delivery.id)).toEqual([kept]);
  // The event record went too: the same report is new again (202, not a 200 duplicate).
  const again = await call(local.baseUrl, 'POST', '/teams/demo/events', { key: local.registryKey, body: registryEvent('evt-ttl-1', 'model-ttl') });
  expect(again.status).toBe(202);
  expect((await call(local.baseUrl, 'GET', `/teams/demo/deliveries/${kept}`, { key: local.adminKey })).status).toBe(200);
});
