/**
 * The SSRF-guarded HTTP sender: one POST attempt of a webhook delivery.
 *
 * Design note — the delivery-time guard (architecture.md, "Security rules"):
 * - Resolve once. The undici Agent is given our own `connect.lookup`; Node calls it when a new
 *   connection to a DNS name is opened, and the socket then dials exactly the address it
 *   returns. There is no second DNS lookup between check and connect, so a rebinding answer
 *   (public on the first query, 127.0.0.1 on the second) has nothing to race against.
 * - Check all. Every address of the answer must be public (`isPublicAddress`); one non-public
 *   address refuses the whole name, because a resolver may answer in any order and a later
 *   attempt could land on the bad one. The refusal happens inside the lookup, before any
 *   socket is opened.
 * - Connect to the checked address: the first one of the answer.
 * - TLS is untouched: undici still passes the URL host as `servername`, and Node verifies the
 *   certificate against that name, not against the IP we dial.
 * - IP-literal URL hosts never reach a lookup (Node dials them directly), so they are checked
 *   up front, without DNS.
 * - Hosts in `allowHosts` (exact names, local development only) skip the public check but still
 *   go through the same single lookup.
 * Pooled keep-alive connections are reused without a new lookup; that is safe because each was
 * opened to a checked address.
 *
 * Redirects are never followed (undici's `request` only follows them with the redirect
 * interceptor, which we do not install). Header values carry secrets (HMAC signature, bearer
 * token), so no error text built here contains them.
 */
import dns from 'node:dns';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { Agent } from 'undici';
import { describeAddressClass, isPublicAddress } from '../domain/ip-policy';
import type { OutgoingRequest, SendResult } from '../domain/ports';

/** Resolves a host name to all of its addresses, in the resolver's order. */
export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;

export type { OutgoingRequest, SendResult };

/** Sends webhook POSTs over a pooled, SSRF-guarded connection pool. */
export interface HttpSender {
  /** Makes one attempt; never throws — every failure is described in the result. */
  send(request: OutgoingRequest): Promise<SendResult>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}

/** Settings of {@link createHttpSender}. */
export interface HttpSenderOptions {
  /** Exact lowercase host names exempt from the public-address check (local development). */
  allowHosts: ReadonlySet<string>;
  /** Bound on the whole attempt: DNS, connect, response headers and body read. */
  attemptTimeoutMs: number;
  /** Default: the system resolver, `dns.promises.lookup(host, { all: true, verbatim: true })`. */
  resolver?: Resolver;
  /** Upper bound on connections per origin; default unlimited. */
  maxConnections?: number;
}

/** How much of a response body is kept; the rest is not read at all. */
const MAX_RESPONSE_BYTES = 8192;

/** A refusal or failure of our own, carried through undici unchanged as the connect error. */
class SendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SendError';
  }
}

const systemResolver: Resolver = async (hostname) => {
  const answers = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** Refusal text naming every non-public address and its class (never header values). */
function blockedMessage(host: string, addresses: readonly string[]): string {
  const listed = addresses.map((a) => `${a}, ${describeAddressClass(a)}`).join('; ');
  return `blocked: ${host} resolves to a non-public address (${listed})`;
}

/**
 * Resolves `host` once and returns the one address to dial, or throws a SendError.
 * `exempt` (allow-listed host) skips only the public check, not the rest.
 */
async function resolveChecked(
  resolver: Resolver,
  host: string,
  exempt: boolean,
): Promise<{ address: string; family: 4 | 6 }> {
  let answers: Array<{ address: string; family: 4 | 6 }>;
  try {
    answers = await resolver(host);
  } catch (err) {
    const code = errorCode(err);
    throw new SendError(`DNS lookup failed for ${host}${code ? ` (${code})` : ''}`);
  }
  if (!Array.isArray(answers) || answers.length === 0) {
    throw new SendError(`DNS lookup failed for ${host} (no addresses)`);
  }
  const addresses = answers.map((a) => String(a.address));
  // Judge the strings we will dial, not the family the resolver claims.
  const bad = exempt
    ? addresses.filter((a) => net.isIP(a) === 0)
    : addresses.filter((a) => net.isIP(a) === 0 || !isPublicAddress(a));
  if (bad.length > 0) throw new SendError(blockedMessage(host, bad));
  const first = addresses[0]!;
  return { address: first, family: net.isIP(first) === 6 ? 6 : 4 };
}

/** A `net.connect` lookup function that resolves through the guard. */
function guardedLookup(resolver: Resolver, allowHosts: ReadonlySet<string>): net.LookupFunction {
  return (hostname, options, callback) => {
    const host = hostname.toLowerCase();
    resolveChecked(resolver, host, allowHosts.has(host)).then(
      ({ address, family }) => {
        // With autoSelectFamily (Node's default) net asks for `all` and expects an array.
        if (options.all) callback(null, [{ address, family }]);
        else callback(null, address, family);
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, ''),
    );
  };
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|HOSTNAME_MISMATCH)/;

/** Plain-words text for a failed attempt; header values are scrubbed from anything echoed. */
function describeError(err: unknown, headers: Record<string, string>): string {
  if (err instanceof SendError) return err.message;
  const code = errorCode(err);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset by receiver';
    case 'UND_ERR_SOCKET':
      return 'connection closed by receiver';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timeout';
    case 'HPE_INVALID_CONSTANT':
    case 'UND_ERR_INFO':
      return 'invalid HTTP response';
  }
  if (code !== undefined && TLS_CODE.test(code)) return `TLS error (${code})`;
  if (code !== undefined && code.startsWith('HPE_')) return `invalid HTTP response (${code})`;
  const message = err instanceof Error ? err.message : String(err);
  return `request failed${code ? ` (${code})` : ''}: ${redact(message, headers)}`;
}

function redact(text: string, headers: Record<string, string>): string {
  let out = text;
  for (const value of Object.values(headers)) {
    if (value.length >= 4) out = out.split(value).join('[redacted]');
  }
  return out;
}

/** Reads at most `max` bytes of `body`, then stops (destroying the rest), as UTF-8 text. */
async function readCapped(body: Readable, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    if (size + buf.length >= max) {
      chunks.push(buf.subarray(0, max - size));
      size = max;
      truncated = true;
      break; // leaving the loop destroys the stream: the rest is never buffered
    }
    chunks.push(buf);
    size += buf.length;
  }
  // On a cut, `stream: true` drops a multi-byte character split at the edge instead of
  // turning it into U+FFFD.
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks, size), { stream: truncated });
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** Host for the IP-literal check: URL hostname without IPv6 brackets. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/**
 * Creates a sender with one keep-alive undici Agent (connection pool) for its lifetime.
 * Every new connection goes through the guard described at the top of this file.
 */
export function createHttpSender(options: HttpSenderOptions): HttpSender {
  const { allowHosts, attemptTimeoutMs } = options;
  const resolver = options.resolver ?? systemResolver;
  const agent = new Agent({
    connect: { lookup: guardedLookup(resolver, allowHosts), timeout: attemptTimeoutMs },
    connections: options.maxConnections ?? null,
    headersTimeout: attemptTimeoutMs,
    bodyTimeout: attemptTimeoutMs,
  });

  async function attempt(request: OutgoingRequest, signal: AbortSignal, out: SendResult): Promise<void> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      throw new SendError('invalid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SendError('scheme must be http or https');
    }
    const host = bareHost(url);
    if (net.isIP(host) !== 0 && !allowHosts.has(host) && !isPublicAddress(host)) {
      throw new SendError(`blocked: ${host} is a non-public address (${describeAddressClass(host)})`);
    }
    const response = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal,
    });
    out.status = response.statusCode;
    out.retryAfter = headerValue(response.headers['retry-after']);
    out.responseBody = await readCapped(response.body, MAX_RESPONSE_BYTES);
    if (response.statusCode >= 200 && response.statusCode < 300) {
      out.ok = true;
    } else if (response.statusCode >= 300 && response.statusCode < 400) {
      out.error = `redirect not followed (${response.statusCode})`;
    } else {
      out.error = `HTTP ${response.statusCode}`;
    }
  }

  return {
    async send(request) {
      const started = performance.now();
      const out: SendResult = { ok: false, status: null, durationMs: 0, responseBody: '', error: null, retryAfter: null };
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      // undici only honours an abort once the request is on a socket: while it is still
      // resolving or connecting, the abort waits for the connect to finish or time out. So
      // the time limit is enforced by racing the attempt, and the abort merely cleans up.
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => {
          controller.abort(new SendError(`timeout after ${attemptTimeoutMs} ms`));
          resolve('timeout');
        }, attemptTimeoutMs);
      });
      const running = attempt(request, controller.signal, out).then(
        () => null,
        (err: unknown) => err,
      );
      const outcome = await Promise.race([running, deadline]);
      clearTimeout(timer);
      // Copy: a timed-out attempt may still write into `out` while undici winds it down.
      const result: SendResult = { ...out };
      if (outcome === 'timeout') {
        result.ok = false;
        result.error = `timeout after ${attemptTimeoutMs} ms`;
      } else if (outcome !== null) {
        result.ok = false;
        result.error = controller.signal.aborted
          ? `timeout after ${attemptTimeoutMs} ms`
          : describeError(outcome, request.headers);
      }
      result.durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      return result;
    },
    async close() {
      await agent.close();
    },
  };
}
