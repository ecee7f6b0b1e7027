/**
 * The SSRF-guarded sender against REAL receivers on loopback. Only 127.0.0.0/8 is ever dialed:
 * fake names resolve through stub resolvers, and the one real-DNS test uses a name from
 * /etc/hosts that points at loopback.
 */
import { execFileSync } from 'node:child_process';
import dns from 'node:dns';
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createHttpSender, type HttpSender, type HttpSenderOptions, type Resolver, type SendResult } from '../../lambdas/adapters/http-sender';
import { describeFailure, type AttemptFailure } from '../../lambdas/domain/attempt-failure';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  port: number;
  host: string;
  requests: Received[];
  /** TCP connections accepted, whether or not a request followed. */
  connections: number;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const respondOk: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
};

const open: Array<{ close(): Promise<void> }> = [];

async function startReceiver(handler: Handler = respondOk, host = '127.0.0.1'): Promise<Receiver> {
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      handler(req, res);
    });
  });
  const receiver: Receiver = {
    port: 0,
    host,
    requests,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', () => {
    receiver.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  receiver.port = (server.address() as net.AddressInfo).port;
  open.push(receiver);
  return receiver;
}

/** A resolver answering from a fixed table, recording every question. */
function stubResolver(table: Record<string, string[]>): { resolver: Resolver; calls: string[] } {
  const calls: string[] = [];
  const resolver: Resolver = async (hostname) => {
    calls.push(hostname);
    const answers = table[hostname];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answers.map((address) => ({ address, family: net.isIP(address) === 6 ? 6 : 4 }));
  };
  return { resolver, calls };
}

/** The failure's text, as the deliveries log and the test route show it; null for a success. */
function errorText(result: SendResult): string | null {
  return result.ok ? null : describeFailure(result.failure);
}

/** The typed failure of a result that must have failed. */
function failureOf(result: SendResult): AttemptFailure {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  return result.failure;
}

function sender(options: Partial<HttpSenderOptions>): HttpSender {
  const s = createHttpSender({ allowHosts: new Set(), attemptTimeoutMs: 5000, ...options });
  open.push(s);
  return s;
}

const SECRET_SIGNATURE = 'c2VjcmV0LXNpZ25hdHVyZS12YWx1ZQ==';
const SECRET_TOKEN = 'ghp_very_secret_token_value';

function webhookRequest(url: string, body = '{"event":"LINK_ARTIFACT","n":1}') {
  return {
    url,
    body,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${SECRET_TOKEN}`,
      'x-wandb-signature': SECRET_SIGNATURE,
      'x-wandb-delivery': 'dlv_123',
      'user-agent': 'registry-webhooks/0.1.0',
    },
  };
}

/**
 * Every address the process dials over TCP, to prove a refusal happened before any dial: Node
 * publishes each client socket made by `net.connect` (as the http Agent does) on the
 * `net.client.socket` channel, and the socket emits `connectionAttempt` for each address it
 * actually dials — after the lookup, so a refused lookup leaves this empty. Unlike a
 * receiver's connection count, it also sees dials to addresses that are not our receiver.
 */
const dialed: string[] = [];
const onClientSocket = (message: unknown): void => {
  const { socket } = message as { socket: net.Socket };
  socket.on('connectionAttempt', (address: string) => dialed.push(address));
};

beforeAll(() => diagnostics.subscribe('net.client.socket', onClientSocket));
afterAll(() => diagnostics.unsubscribe('net.client.socket', onClientSocket));
beforeEach(() => {
  dialed.length = 0;
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

describe('happy path', () => {
  test('allow-listed 127.0.0.1: the receiver gets exactly the body and headers', async () => {
    const receiver = await startReceiver();
    const s = sender({ allowHosts: new Set(['127.0.0.1']) });
    const body = '{"text":"héllo ✓","n":[1,2,3]}';
    const result = await s.send(webhookRequest(`http://127.0.0.1:${receiver.port}/hooks/wandb?x=1#frag`, body));

    expect(result).toEqual({ ok: true, status: 200, durationMs: expect.any(Number), responseBody: 'ok', retryAfter: null });
    expect(result.durationMs).toBeGreaterThan(0);
    expect(receiver.requests).toHaveLength(1);
    const got = receiver.requests[0]!;
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/hooks/wandb?x=1');
    expect(got.body).toBe(body);
    expect(got.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: `Bearer ${SECRET_TOKEN}`,
      'x-wandb-signature': SECRET_SIGNATURE,
      'x-wandb-delivery': 'dlv_123',
      'user-agent': 'registry-webhooks/0.1.0',
      'content-length': String(Buffer.byteLength(body)),
      host: `127.0.0.1:${receiver.port}`,
      connection: 'keep-alive',
    });
    // Nothing but the given headers and what HTTP needs.
    expect(Object.keys(got.headers).sort()).toEqual(
      ['authorization', 'connection', 'content-length', 'content-type', 'host', 'user-agent', 'x-wandb-delivery', 'x-wandb-signature'],
    );
  });

  test('a DNS name connects to the checked address, resolved once, on a pooled connection', async () => {
    const receiver = await startReceiver();
    const { resolver, calls } = stubResolver({ 'hooks.example.test': ['127.0.0.1'] });
    // One connection per origin: reuse is then the only way three sends can succeed.
    const s = sender({ allowHosts: new Set(['hooks.example.test']), resolver, maxConnections: 1 });
    const url = `http://hooks.example.test:${receiver.port}/hook`;

    const results = [];
    for (let i = 0; i < 3; i++) results.push(await s.send(webhookRequest(url)));

    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.requests[0]!.headers.host).toBe(`hooks.example.test:${receiver.port}`);
    // One lookup, one TCP connection: keep-alive reuse, no second DNS query to rebind.
    expect(calls).toEqual(['hooks.example.test']);
    expect(receiver.connections).toBe(1);
    // Also proves the dial probe used by the refusal tests below does see dials.
    expect(dialed).toEqual(['127.0.0.1']);
  });

  test('with the default pool, every new connection is one lookup', async () => {
    const receiver = await startReceiver();
    const { resolver, calls } = stubResolver({ 'hooks.example.test': ['127.0.0.1'] });
    const s = sender({ allowHosts: new Set(['hooks.example.test']), resolver });
    const url = `http://hooks.example.test:${receiver.port}/hook`;

    for (let i = 0; i < 6; i++) expect((await s.send(webhookRequest(url))).ok).toBe(true);

    expect(receiver.requests).toHaveLength(6);
    expect(receiver.connections).toBeLessThan(6); // pooled
    expect(calls).toHaveLength(receiver.connections);
  });

  test('maxConnections bounds the connections per origin; the others wait for a free one', async () => {
    const receiver = await startReceiver((_req, res) => {
      setTimeout(() => res.end('ok'), 30);
    });
    const s = sender({ allowHosts: new Set(['127.0.0.1']), maxConnections: 2 });
    const url = `http://127.0.0.1:${receiver.port}/hook`;

    const results = await Promise.all(Array.from({ length: 6 }, () => s.send(webhookRequest(url))));

    expect(results.every((r) => r.ok)).toBe(true);
    expect(receiver.requests).toHaveLength(6);
    expect(receiver.connections).toBe(2);
  });

  test('by default, at most 50 connections per origin', async () => {
    const receiver = await startReceiver((_req, res) => {
      setTimeout(() => res.end('ok'), 50);
    });
    const s = sender({ allowHosts: new Set(['127.0.0.1']) });
    const url = `http://127.0.0.1:${receiver.port}/hook`;

    const results = await Promise.all(Array.from({ length: 60 }, () => s.send(webhookRequest(url))));

    expect(results.every((r) => r.ok)).toBe(true);
    expect(receiver.connections).toBe(50);
  });

  test('a body that fits keeps the connection for reuse; a cut body closes it', async () => {
    const receiver = await startReceiver((req, res) => {
      res.end(req.url === '/big' ? 'x'.repeat(64 * 1024) : 'y'.repeat(8192));
    });
    const s = sender({ allowHosts: new Set(['127.0.0.1']), maxConnections: 1 });
    const base = `http://127.0.0.1:${receiver.port}`;

    const fits = await s.send(webhookRequest(`${base}/small`)); // exactly the limit: read to the end
    const again = await s.send(webhookRequest(`${base}/small`));
    expect([fits.responseBody.length, again.responseBody.length]).toEqual([8192, 8192]);
    expect(receiver.connections).toBe(1);

    const cut = await s.send(webhookRequest(`${base}/big`));
    const after = await s.send(webhookRequest(`${base}/small`));
    expect(cut).toMatchObject({ ok: true, responseBody: 'x'.repeat(8192) });
    expect(after.ok).toBe(true);
    expect(receiver.connections).toBe(2);
  });

  test('https keeps the URL host as the TLS server name while dialing the checked address', async () => {
    // A bare TCP server reads the ClientHello; SNI travels in clear text there.
    let hello: Buffer = Buffer.alloc(0);
    const server = net.createServer((socket) => {
      socket.once('data', (chunk: Buffer) => {
        hello = chunk;
        socket.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    open.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const port = (server.address() as net.AddressInfo).port;
    const { resolver } = stubResolver({ 'hooks.example.test': ['127.0.0.1'] });
    const s = sender({ allowHosts: new Set(['hooks.example.test']), resolver });

    const result = await s.send(webhookRequest(`https://hooks.example.test:${port}/`));

    expect(result.ok).toBe(false);
    expect(result.status).toBeNull();
    expect(hello.includes(Buffer.from('hooks.example.test'))).toBe(true);
  });
});

describe('TLS', () => {
  test('the certificate is verified against the URL host: a self-signed one is refused', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rw-sender-tls-'));
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=hooks.example.test',
        '-addext', 'subjectAltName=DNS:hooks.example.test',
        '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
      ], { stdio: 'ignore' });
      const cert = readFileSync(path.join(dir, 'cert.pem'));
      const key = readFileSync(path.join(dir, 'key.pem'));
      let requests = 0;
      const server = https.createServer({ cert, key }, (_req, res) => {
        requests += 1;
        res.end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      open.push({ close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) });
      const port = (server.address() as net.AddressInfo).port;
      const { resolver } = stubResolver({ 'hooks.example.test': ['127.0.0.1'] });
      const s = sender({ allowHosts: new Set(['hooks.example.test']), resolver });

      const result = await s.send(webhookRequest(`https://hooks.example.test:${port}/`));

      expect(result).toMatchObject({ ok: false, status: null, failure: { kind: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
      expect(errorText(result)).toBe('TLS error (DEPTH_ZERO_SELF_SIGNED_CERT)');
      expect(requests).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the guard', () => {
  test('(a) a name resolving to loopback is refused and nothing reaches the receiver', async () => {
    const receiver = await startReceiver();
    const { resolver } = stubResolver({ 'hooks.example.test': ['127.0.0.1'] });
    const s = sender({ resolver });

    const result = await s.send(webhookRequest(`http://hooks.example.test:${receiver.port}/`));

    expect(result).toMatchObject({ ok: false, status: null, responseBody: '' });
    expect(failureOf(result)).toEqual({
      kind: 'blocked-address',
      host: 'hooks.example.test',
      source: 'dns-answer',
      addresses: [{ address: '127.0.0.1', addressClass: 'loopback' }],
    });
    expect(errorText(result)).toBe('blocked: hooks.example.test resolves to a non-public address (127.0.0.1, loopback)');
    expect(receiver.connections).toBe(0);
    expect(dialed).toEqual([]);
  });

  test('(b) one non-public address among public ones refuses the whole name', async () => {
    const receiver = await startReceiver();
    const { resolver } = stubResolver({ 'hooks.example.test': ['93.184.216.34', '10.0.0.1'] });
    const s = sender({ resolver });

    const result = await s.send(webhookRequest(`http://hooks.example.test:${receiver.port}/`));

    expect(failureOf(result)).toEqual({
      kind: 'blocked-address',
      host: 'hooks.example.test',
      source: 'dns-answer',
      // Only the offending address is named, not the public one beside it.
      addresses: [{ address: '10.0.0.1', addressClass: 'private' }],
    });
    expect(errorText(result)).toBe('blocked: hooks.example.test resolves to a non-public address (10.0.0.1, private)');
    expect(receiver.connections).toBe(0);
    expect(dialed).toEqual([]);
  });

  test('(c) public first, loopback second: refused, nothing dialed', async () => {
    const receiver = await startReceiver();
    const { resolver } = stubResolver({ 'hooks.example.test': ['93.184.216.34', '127.0.0.1'] });
    const s = sender({ resolver });

    const result = await s.send(webhookRequest(`http://hooks.example.test:${receiver.port}/`));

    expect(failureOf(result)).toMatchObject({ kind: 'blocked-address', addresses: [{ address: '127.0.0.1', addressClass: 'loopback' }] });
    expect(errorText(result)).toMatch(/^blocked: hooks\.example\.test resolves to a non-public address \(127\.0\.0\.1, loopback\)$/);
    expect(receiver.connections).toBe(0);
    expect(dialed).toEqual([]);
  });

  test.each([
    ['169.254.169.254', 'link-local'],
    ['127.0.0.53', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped link-local'],
    ['fc00::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['192.168.0.10', 'private'],
    ['172.16.5.4', 'private'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['64:ff9b::7f00:1', 'NAT64 loopback'],
    ['2002:7f00:1::1', '6to4'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['198.18.0.1', 'benchmarking'],
    ['not-an-address', 'not an IP address'],
  ])('(d) %s (%s) is refused', async (address, kind) => {
    const receiver = await startReceiver();
    const { resolver } = stubResolver({ 'hooks.example.test': [address] });
    const s = sender({ resolver });

    const result = await s.send(webhookRequest(`http://hooks.example.test:${receiver.port}/`));

    expect(failureOf(result)).toEqual({ kind: 'blocked-address', host: 'hooks.example.test', source: 'dns-answer', addresses: [{ address, addressClass: kind }] });
    expect(errorText(result)).toBe(`blocked: hooks.example.test resolves to a non-public address (${address}, ${kind})`);
    expect(receiver.connections).toBe(0);
    expect(dialed).toEqual([]);
  });

  test('an IP-literal URL host that is not allow-listed is refused without DNS', async () => {
    const receiver = await startReceiver();
    const { resolver, calls } = stubResolver({});
    const s = sender({ resolver });

    const v4 = await s.send(webhookRequest(`http://127.0.0.1:${receiver.port}/`));
    const v6 = await s.send(webhookRequest(`http://[::ffff:127.0.0.1]:${receiver.port}/`));
    const decimal = await s.send(webhookRequest(`http://2130706433:${receiver.port}/`));

    expect(failureOf(v4)).toEqual({ kind: 'blocked-address', host: '127.0.0.1', source: 'ip-literal', addresses: [{ address: '127.0.0.1', addressClass: 'loopback' }] });
    expect(failureOf(v6)).toEqual({
      kind: 'blocked-address',
      host: '::ffff:7f00:1',
      source: 'ip-literal',
      addresses: [{ address: '::ffff:7f00:1', addressClass: 'IPv4-mapped loopback' }],
    });
    expect(errorText(v4)).toBe('blocked: 127.0.0.1 is a non-public address (loopback)');
    expect(errorText(v6)).toBe('blocked: ::ffff:7f00:1 is a non-public address (IPv4-mapped loopback)');
    expect(errorText(decimal)).toBe('blocked: 127.0.0.1 is a non-public address (loopback)');
    expect(calls).toEqual([]);
    expect(receiver.connections).toBe(0);
    expect(dialed).toEqual([]);
  });

  test('allow-listing is exact: other names resolving to loopback stay blocked', async () => {
    const receiver = await startReceiver();
    const { resolver } = stubResolver({ 'hooks.example.test': ['127.0.0.1'], 'other.example.test': ['127.0.0.1'] });
    const s = sender({ resolver, allowHosts: new Set(['hooks.example.test']) });

    const other = await s.send(webhookRequest(`http://other.example.test:${receiver.port}/`));
    const allowed = await s.send(webhookRequest(`http://HOOKS.example.test:${receiver.port}/`));

    expect(failureOf(other)).toMatchObject({ kind: 'blocked-address', host: 'other.example.test' });
    expect(errorText(other)).toMatch(/^blocked: other\.example\.test /);
    expect(allowed.ok).toBe(true);
    expect(receiver.requests).toHaveLength(1);
  });

  test('a DNS failure is reported as such', async () => {
    const { resolver } = stubResolver({});
    const s = sender({ resolver });

    const result = await s.send(webhookRequest('http://nowhere.example.test/'));

    expect(result).toMatchObject({ ok: false, status: null, failure: { kind: 'dns', host: 'nowhere.example.test', reason: 'lookup-failed', code: 'ENOTFOUND' } });
    expect(errorText(result)).toBe('DNS lookup failed for nowhere.example.test (ENOTFOUND)');
  });

  test('an empty DNS answer is a DNS failure', async () => {
    const s = sender({ resolver: async () => [] });
    const result = await s.send(webhookRequest('http://empty.example.test/'));
    expect(failureOf(result)).toEqual({ kind: 'dns', host: 'empty.example.test', reason: 'no-addresses', code: null });
    expect(errorText(result)).toBe('DNS lookup failed for empty.example.test (no addresses)');
  });
});

/** The attempt ended at its deadline, not after some later stage gave up. */
function expectAtDeadline(durationMs: number, deadlineMs: number): void {
  expect(durationMs).toBeGreaterThanOrEqual(deadlineMs - 5);
  expect(durationMs).toBeLessThan(deadlineMs + 250);
}

describe('responses and failures', () => {
  const allow127 = { allowHosts: new Set(['127.0.0.1']) };

  test('(f) a 302 is a failure and its Location is not followed', async () => {
    const target = await startReceiver();
    const redirector = await startReceiver((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${target.port}/stolen` });
      res.end('moved');
    });
    const s = sender(allow127);

    const result = await s.send(webhookRequest(`http://127.0.0.1:${redirector.port}/`));

    expect(result).toMatchObject({ ok: false, status: 302, failure: { kind: 'redirect', status: 302 }, responseBody: 'moved' });
    expect(errorText(result)).toBe('redirect not followed (302)');
    expect(redirector.requests).toHaveLength(1);
    expect(target.connections).toBe(0);
  });

  test('(g) a receiver that never answers is cut off at the attempt timeout', async () => {
    const receiver = await startReceiver(() => {
      /* never respond */
    });
    const s = sender({ ...allow127, attemptTimeoutMs: 300 });

    const result = await s.send(webhookRequest(`http://127.0.0.1:${receiver.port}/`));

    expect(result).toMatchObject({ ok: false, status: null, failure: { kind: 'timeout', afterMs: 300 } });
    expect(errorText(result)).toBe('timeout after 300 ms');
    expect(receiver.requests).toHaveLength(1);
    expectAtDeadline(result.durationMs, 300);
  });

  test('(g) a body that never ends is cut off too, with the status kept', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.write('partial');
    });
    const s = sender({ ...allow127, attemptTimeoutMs: 300 });

    const result = await s.send(webhookRequest(`http://127.0.0.1:${receiver.port}/`));

    // Our deadline, not a cut-off by the receiver: the status is kept beside the failure.
    expect(result).toMatchObject({ ok: false, status: 503, failure: { kind: 'timeout', afterMs: 300 }, responseBody: '' });
    expect(errorText(result)).toBe('timeout after 300 ms');
    expectAtDeadline(result.durationMs, 300);
    // Nothing arriving after the deadline changes what was returned.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(result).toMatchObject({ ok: false, status: 503, failure: { kind: 'timeout', afterMs: 300 }, responseBody: '' });
  });

  test('(g) a 2xx whose body never ends is delivered at the deadline, with what arrived (the status line decides)', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial é');
    });
    const s = sender({ ...allow127, attemptTimeoutMs: 300 });

    const result = await s.send(webhookRequest(`http://127.0.0.1:${receiver.port}/`));

    expect(result).toEqual({ ok: true, status: 200, durationMs: expect.any(Number), responseBody: 'partial é', retryAfter: null });
    expectAtDeadline(result.durationMs, 300);
  });

  test('(g) a resolver that never answers is cut off too', async () => {
    const s = sender({ attemptTimeoutMs: 300, resolver: () => new Promise(() => undefined) });
    const result = await s.send(webhookRequest('http://slow-dns.example.test/'));
    expect(result).toMatchObject({ ok: false, status: null, failure: { kind: 'timeout', afterMs: 300 } });
    expectAtDeadline(result.durationMs, 300);
    expect(dialed).toEqual([]);
  });

  test('(h) a 1 MB body is read only up to 8192 bytes', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(1024 * 1024));
    });
    const s = sender(allow127);

    const result = await s.send(webhookRequest(`http://127.0.0.1:${receiver.port}/`));

    expect(result.ok).toBe(true);
    expect(result.responseBody).toBe('x'.repeat(8192));
    expect(Buffer.byteLength(result.responseBody)).toBe(8192);
  });

  test('(h) a multi-byte character cut at 8192 bytes is dropped, not mangled', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`a${'é'.repeat(10000)}`);
    });
    const s = sender(allow127);

    const result = await s.send(webhookRequest(`http://127.0.0.1:${receiver.port}/`));

    expect(result.responseBody).toBe(`a${'é'.repeat(4095)}`);
    expect(result.responseBody).not.toContain('\uFFFD');
  });

  test('(i) a 500 is a failure with its status and body', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(500);
      res.end('boom');
    });
    const s = sender(allow127);

    const result = await s.send(webhookRequest(`http://127.0.0.1:${receiver.port}/`));

    expect(result).toMatchObject({ ok: false, status: 500, responseBody: 'boom', failure: { kind: 'http-status', status: 500 } });
    expect(errorText(result)).toBe('HTTP 500');
  });

  test('(j) a closed port is reported as connection refused', async () => {
    const probe = await startReceiver();
    const port = probe.port;
    await probe.close();
    const s = sender(allow127);

    const result = await s.send(webhookRequest(`http://127.0.0.1:${port}/`));

    expect(result).toMatchObject({ ok: false, status: null, failure: { kind: 'connection-refused' } });
    expect(errorText(result)).toBe('connection refused');
  });

  test('(k) Retry-After is captured', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(503, { 'retry-after': '120' });
      res.end();
    });
    const s = sender(allow127);

    const result = await s.send(webhookRequest(`http://127.0.0.1:${receiver.port}/`));

    expect(result).toMatchObject({ ok: false, status: 503, retryAfter: '120', failure: { kind: 'http-status', status: 503 } });
  });

  test('a receiver hanging up mid-request is a clear error', async () => {
    const receiver = await startReceiver((req) => req.socket.destroy());
    const s = sender(allow127);

    const result = await s.send(webhookRequest(`http://127.0.0.1:${receiver.port}/`));

    expect(result.status).toBeNull();
    expect(['connection-closed', 'connection-reset']).toContain(failureOf(result).kind);
    expect(errorText(result)).toMatch(/^connection (closed|reset) by receiver$/);
  });

  test.each([
    ['closed', 502, (socket: net.Socket) => socket.end()],
    ['reset', 502, (socket: net.Socket) => socket.resetAndDestroy()],
    ['closed', 200, (socket: net.Socket) => socket.end()],
    ['reset', 201, (socket: net.Socket) => socket.resetAndDestroy()],
  ] as const)('a body cut off mid-way (connection %s, status %i): a 2xx is delivered with what arrived, any other status fails saying how it ended', async (connection, status, cut) => {
    // Cut only once the client has parsed the headers: a reset that arrives before they are read
    // discards them in the kernel (Linux drops unread data on RST), and there is no status then.
    let headersParsed: () => void = () => undefined;
    const parsed = new Promise<void>((resolve) => (headersParsed = resolve));
    const onResponse = (): void => headersParsed();
    diagnostics.subscribe('http.client.response.finish', onResponse);
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('partial');
      void parsed.then(() => cut(res.socket!));
    });
    const s = sender(allow127);

    const result = await s
      .send(webhookRequest(`http://127.0.0.1:${receiver.port}/`))
      .finally(() => diagnostics.unsubscribe('http.client.response.finish', onResponse));

    if (status < 300) {
      // The receiver answered 2xx: retrying would send what it accepted. What arrived is kept
      // (a reset may discard unread bytes in the kernel, so only a prefix of it is certain).
      expect(result).toMatchObject({ ok: true, status });
      expect('partial'.startsWith(result.responseBody)).toBe(true);
      expect('failure' in result).toBe(false);
      return;
    }
    expect(result).toMatchObject({ ok: false, status, failure: { kind: 'response-cut-off', status, connection } });
    expect(errorText(result)).toBe(`connection ${connection} by receiver`);
  });

  test('errors never contain header values', async () => {
    const s = sender(allow127);
    const request = webhookRequest('http://127.0.0.1:9/');
    request.headers['x-wandb-signature'] = `${SECRET_SIGNATURE}\r\nInjected: yes`;

    const result = await s.send(request);

    // Node refuses the header before sending, quoting nothing of its value (and were it to, the
    // value would be scrubbed): check the whole failure, not only its text.
    expect(failureOf(result).kind).toBe('request-failed');
    expect(JSON.stringify(result)).not.toContain(SECRET_SIGNATURE);
    expect(JSON.stringify(result)).not.toContain(SECRET_TOKEN);
    expect(errorText(result)).not.toContain(SECRET_SIGNATURE);
  });

  test('non-http schemes and unparseable URLs are refused', async () => {
    const s = sender(allow127);
    const scheme = await s.send(webhookRequest('ftp://127.0.0.1/'));
    const unparsable = await s.send(webhookRequest('not a url'));
    expect(failureOf(scheme)).toEqual({ kind: 'invalid-url', reason: 'scheme' });
    expect(failureOf(unparsable)).toEqual({ kind: 'invalid-url', reason: 'unparsable' });
    expect(errorText(scheme)).toBe('scheme must be http or https');
    expect(errorText(unparsable)).toBe('invalid URL');
  });
});

/** Names mapped to a loopback address in /etc/hosts, other than localhost. */
function etcHostsLoopbackNames(): string[] {
  let text = '';
  try {
    text = readFileSync('/etc/hosts', 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (!address || !(address.startsWith('127.') || address === '::1')) return [];
    return names;
  });
}

/** A real host name (not localhost) that the system resolver maps to loopback, or throws. */
async function findLoopbackName(): Promise<{ name: string; address: string }> {
  const candidates = [os.hostname(), ...etcHostsLoopbackNames()].filter(
    (n) => n !== '' && n.toLowerCase() !== 'localhost' && !n.toLowerCase().endsWith('.localhost'),
  );
  for (const name of new Set(candidates)) {
    try {
      const answers = await dns.promises.lookup(name, { all: true, verbatim: true });
      const first = answers[0]?.address;
      if (first !== undefined && /^127\./.test(first)) return { name: name.toLowerCase(), address: first };
    } catch {
      // not resolvable here; try the next candidate
    }
  }
  throw new Error(
    `no host name other than localhost resolves to 127.x on this machine (tried: ${[...new Set(candidates)].join(', ') || 'none'}); ` +
      'add one to /etc/hosts (e.g. "127.0.0.1 vm") — this test must not pass without real DNS',
  );
}

describe('over real DNS (system resolver, /etc/hosts)', () => {
  test('a non-localhost name resolving to loopback is refused; allow-listed it connects', async () => {
    const { name, address } = await findLoopbackName();
    const receiver = await startReceiver(respondOk, address);
    const url = `http://${name}:${receiver.port}/hook`;

    const guarded = sender({});
    const refused = await guarded.send(webhookRequest(url));
    expect(failureOf(refused)).toMatchObject({ kind: 'blocked-address', host: name, source: 'dns-answer' });
    expect(errorText(refused)).toMatch(new RegExp(`^blocked: ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} resolves to a non-public address \\(.*loopback`));
    expect(receiver.connections).toBe(0);

    // Control: the same name really does reach the receiver once exempt.
    const exempt = sender({ allowHosts: new Set([name]) });
    const delivered = await exempt.send(webhookRequest(url));
    expect(delivered).toMatchObject({ ok: true, status: 200 });
    expect(receiver.requests).toHaveLength(1);
  });
});
