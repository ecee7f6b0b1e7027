/**
 * The receiver kit (docs/receiver-kit/) against real deliveries from local mode: the Python and
 * shell recipes exactly as its README prints them (python3, bash and openssl), the TypeScript
 * verifier, and the example receiver as a running process that a webhook delivers to.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyStandardWebhook, verifyWandbSignature } from '../../docs/receiver-kit/verify';
import { client, type Client } from './support/api-session';
import { finished, hookUp, report, waitForDelivery } from './support/deliveries';
import { waitFor } from './support/http';
import { removeDataDir, startLocalMode, type LocalModeProcess } from './support/local-mode';
import { startReceiver, type ReceivedRequest, type Receiver } from './support/receiver';
import { tampered } from './support/signatures';

const ROOT = path.resolve(__dirname, '../..');
const README = readFileSync(path.join(ROOT, 'docs/receiver-kit/README.md'), 'utf8');

/** The code block right after `<!-- recipe:NAME -->` in the kit's README. */
function recipe(name: string): string {
  const match = new RegExp(`<!-- recipe:${name} -->\\s*\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(README);
  if (!match) throw new Error(`docs/receiver-kit/README.md has no recipe:${name} block`);
  return match[1];
}

let local: LocalModeProcess;
let receiver: Receiver;
let admin: Client;
let work: string;
const plain = 'plain-secret-for-the-kit';
const whsec = `whsec_${Buffer.from('kit-key-bytes-0123456789abcdef!').toString('base64')}`;
/** One real delivery per secret. */
const delivered: Record<'plain' | 'whsec', ReceivedRequest> = {} as never;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'receiver-kit-'));
  receiver = await startReceiver();
  local = await startLocalMode({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', RETRY_SCHEDULE: '0.2' } });
  admin = client(local.baseUrl, local.adminKey);
  for (const [kind, value] of [['plain', plain], ['whsec', whsec]] as const) {
    expect((await admin.put(`/teams/demo/secrets/KIT_${kind.toUpperCase()}`, { value })).status).toBe(201);
    await hookUp(local, { name: `kit-${kind}`, url: `${receiver.url}/kit-${kind}`, collection: `kit-${kind}`, secret: `KIT_${kind.toUpperCase()}` });
    const [id] = await report(local, `evt-kit-${kind}`, `kit-${kind}`);
    await waitForDelivery(local, id, finished('succeeded'));
    delivered[kind] = receiver.requests.find((request) => request.headers['webhook-id'] === id)!;
  }
});

afterAll(async () => {
  await local?.stop();
  await receiver?.close();
  if (local) removeDataDir(local.dataDir);
  if (work) rmSync(work, { recursive: true, force: true });
});

const cases = () => [
  { kind: 'plain' as const, secret: plain },
  { kind: 'whsec' as const, secret: whsec },
];

describe('the Python recipe, as printed, on real deliveries', () => {
  /** Runs the recipe's functions on a request (through a file, byte for byte): [standard, wandb]. */
  function python(secret: string, request: ReceivedRequest, body = request.body, timestamp = String(request.headers['webhook-timestamp'])): [boolean, boolean] {
    const script = path.join(work, 'recipe.py');
    writeFileSync(script, `${recipe('python')}\n
import json, sys
given = json.load(open(sys.argv[1]))
body = open(sys.argv[2], "rb").read()
print(json.dumps([verify_standard_webhook(given["secret"], given["headers"], body), verify_wandb_signature(given["secret"], given["headers"]["x-wandb-signature"], body)]))
`);
    const input = path.join(work, 'input.json');
    const bodyFile = path.join(work, 'body.bin');
    writeFileSync(input, JSON.stringify({ secret, headers: { ...request.headers, 'webhook-timestamp': timestamp } }));
    writeFileSync(bodyFile, body);
    return JSON.parse(execFileSync('python3', [script, input, bodyFile]).toString('utf8'));
  }

  test.each(cases())('$kind secret: accepts the delivery, refuses a changed body or timestamp, and the wrong secret', ({ kind, secret }) => {
    const request = delivered[kind];
    expect(python(secret, request)).toEqual([true, true]);
    expect(python(secret, request, tampered(request.body))).toEqual([false, false]);
    expect(python(secret, request, request.body, String(Number(request.headers['webhook-timestamp']) - 1))[0]).toBe(false);
    expect(python(`${secret}x`, request)).toEqual([false, false]);
  });
});

describe('the shell recipe, as printed, on real deliveries', () => {
  function shell(secret: string, request: ReceivedRequest, body = request.body, timestamp = String(request.headers['webhook-timestamp'])): { ok: boolean; output: string } {
    const script = path.join(work, 'recipe.sh');
    writeFileSync(script, recipe('shell'));
    const bodyFile = path.join(work, 'body.txt');
    writeFileSync(bodyFile, body);
    try {
      const output = execFileSync('bash', [script], {
        env: {
          PATH: process.env.PATH, SECRET: secret, BODY_FILE: bodyFile, WEBHOOK_ID: String(request.headers['webhook-id']), WEBHOOK_TIMESTAMP: timestamp,
          WEBHOOK_SIGNATURE: String(request.headers['webhook-signature']), X_WANDB_SIGNATURE: String(request.headers['x-wandb-signature']),
        },
      }).toString('utf8');
      return { ok: true, output };
    } catch (error) {
      return { ok: false, output: String((error as { stdout?: Buffer }).stdout ?? '') };
    }
  }

  test.each(cases())('$kind secret: verified; a changed body, timestamp or secret is not', ({ kind, secret }) => {
    const request = delivered[kind];
    expect(shell(secret, request)).toEqual({ ok: true, output: 'verified\n' });
    expect(shell(secret, request, tampered(request.body))).toEqual({ ok: false, output: 'no webhook-signature matches\n' });
    expect(shell(secret, request, request.body, String(Number(request.headers['webhook-timestamp']) + 1))).toEqual({ ok: false, output: 'no webhook-signature matches\n' });
    expect(shell(secret, request, request.body, String(Number(request.headers['webhook-timestamp']) - 600)).output).toMatch(/tolerance/);
    expect(shell(`${secret}x`, request).ok).toBe(false);
  });
});

describe('the TypeScript verifier on real deliveries', () => {
  test.each(cases())('$kind secret', ({ kind, secret }) => {
    const request = delivered[kind];
    expect(verifyStandardWebhook(secret, Buffer.from(request.body), request.headers)).toEqual({ ok: true, id: request.headers['webhook-id'], timestamp: Number(request.headers['webhook-timestamp']) });
    expect(verifyStandardWebhook(secret, tampered(request.body), request.headers).ok).toBe(false);
    expect(verifyWandbSignature(secret, request.body, request.headers['x-wandb-signature'])).toBe(true);
  });
});

describe('the example receiver, running', () => {
  let child: ChildProcess;
  let output = '';
  let url: string;

  beforeAll(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'docs/receiver-kit/example-receiver.ts'], {
      cwd: ROOT, env: { ...process.env, WEBHOOK_SECRET: plain, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    url = await waitFor(() => /^listening on (http:\/\/\S+)$/m.exec(output)?.[1], { timeoutMs: 20_000, what: `the example receiver to listen: ${output}` });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  /** The example's log lines (JSON), for one delivery id. */
  const lines = (id: string) => output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)).filter((entry) => entry.id === id);

  test('a real delivery is handled once; a repeat is answered 2xx and not handled again; a forged one is refused 401', async () => {
    const hook = await hookUp(local, { name: 'example-receiver', url: `${url}/hook`, collection: 'example', secret: 'KIT_PLAIN' });
    const [id] = await report(local, 'evt-example', 'example');
    const delivery = await waitForDelivery(local, id, finished('succeeded'));
    expect(delivery.attempts.map((attempt: { status: number }) => attempt.status)).toEqual([204]);
    expect(lines(id)).toEqual([expect.objectContaining({ outcome: 'handled', fields: ['event', 'version', 'author'] })]);
    const test = await admin.post(`/teams/demo/webhooks/${hook.webhookId}/test`, {});
    expect(test.body).toMatchObject({ ok: true, status: 204 });

    // What the service sent, replayed by someone else: the same signed POST again, then forged.
    const original = delivered.plain;
    const headers = Object.fromEntries(['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(original.headers[name])]));
    const first = await fetch(`${url}/hook`, { method: 'POST', headers, body: original.body });
    expect(first.status).toBe(204);
    const repeat = await fetch(`${url}/hook`, { method: 'POST', headers, body: original.body });
    expect(repeat.status).toBe(200);
    const forged = await fetch(`${url}/hook`, { method: 'POST', headers, body: tampered(original.body) });
    expect(forged.status).toBe(401);
    const outcomes = lines(String(original.headers['webhook-id'])).map((entry) => entry.outcome);
    expect(outcomes).toEqual(['handled', 'duplicate', 'refused']);
    expect(output).not.toContain(plain);
  });
});
