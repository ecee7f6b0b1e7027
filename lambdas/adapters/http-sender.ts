/**
 * The SSRF-guarded HTTP sender: one POST attempt of a webhook delivery.
 *
 * Built on Node's own `node:http` / `node:https`: they are part of the runtime, so they add
 * nothing to a Lambda bundle's load time (a cold start), and their Agent takes a `lookup`
 * option, which is all the guard needs. (undici, used before, cost ~60 ms of load per bundle;
 * in exchange node:http spends ~0.05 ms more CPU per POST — about a thousand deliveries per
 * cold start, and far below a POST's network time.)
 *
 * Design note — the delivery-time guard (architecture.md, "Security rules"):
 * - Resolve once. Each sender has one keep-alive `http.Agent` and one `https.Agent`, both given
 *   our own `lookup`. Agents pass their options on to `net.connect` / `tls.connect`, so Node
 *   calls it whenever a new connection to a DNS name is opened, and the socket then dials
 *   exactly the address it returns. There is no second DNS lookup between check and connect,
 *   so a rebinding answer (public on the first query, 127.0.0.1 on the second) has nothing to
 *   race against. Agent options override request options, so no request can swap the lookup.
 * - Check all. Every address of the answer must be public (`isPublicAddress`); one non-public
 *   address refuses the whole name, because a resolver may answer in any order and a later
 *   attempt could land on the bad one. The refusal happens inside the lookup, before any
 *   address is dialed.
 * - Connect to the checked address: the first one of the answer, and only it (with Node's
 *   autoSelectFamily the lookup is asked for a list; it gets a list of that one address).
 * - TLS is untouched: the URL host goes to TLS as `servername` (set explicitly for DNS names;
 *   IP literals send no SNI), and Node verifies the certificate against that name
 *   (`rejectUnauthorized` stays at its default, true), not against the IP we dial.
 * - IP-literal URL hosts never reach a lookup (Node dials them directly), so they are checked
 *   up front, without DNS.
 * - Hosts in `allowHosts` (exact names, local development only) skip the public check but still
 *   go through the same single lookup.
 * Pooled keep-alive connections are reused without a new lookup; that is safe because each was
 * opened to a checked address.
 *
 * Redirects are never followed (node:http has no redirect support at all). Header values carry
 * secrets (HMAC signature, bearer token), so no failure built here contains them.
 *
 * Every failure is a typed `AttemptFailure` (domain/attempt-failure.ts), so that the domain can
 * decide on its kind; its text is derived there, never built here.
 *
 * Design note — the status line decides. Once a response's status line and headers have
 * arrived, the receiver has answered: a 2xx is a success (`ok: true`, no error) even if the
 * connection is then closed or reset in the middle of the body, or the body is still arriving
 * at the attempt deadline; `responseBody` holds what arrived. Retrying would send a delivery the
 * receiver already accepted. Any other status stays a failure with its status kept: a cut body
 * is `response-cut-off` (how it ended), a stalled one `timeout`, and a `410` is Gone either way
 * (the worker and webhook health read the status).
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { describeFailure, type AttemptFailure } from '../domain/attempt-failure';
import { describeAddressClass, isPublicAddress } from '../domain/ip-policy';
import { MAX_RESPONSE_BODY_BYTES, type OutgoingRequest, type SendResult } from '../domain/ports';
import { REDACTED } from '../domain/redaction';

/** Resolves a host name to all of its addresses, in the resolver's order. */
export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;

export type { OutgoingRequest, SendResult };

/** Sends webhook POSTs over a pooled, SSRF-guarded connection pool. */
export interface HttpSender {
  /** Makes one attempt; never throws — every failure is a typed value in the result. */
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
  /** Upper bound on connections per origin (host and port); default 50. */
  maxConnections?: number;
}

/**
 * Default bound on connections per origin. A deliver Lambda has at most one SQS batch (≤ 10
 * records) in flight and local mode a few batches, so callers never get near it and nothing
 * queues in practice; but it caps a burst to one receiver well below the file-descriptor
 * limit (Lambda: 1024) instead of opening a socket per request without end, as an unbounded
 * Agent would.
 */
const DEFAULT_MAX_CONNECTIONS = 50;

/**
 * An idle pooled connection is closed after this long. Receivers close idle keep-alive
 * connections on their own schedule (Node servers after 5 s); reusing one they are just closing
 * fails the POST with a reset. Node's Agent honours a `Keep-Alive: timeout=N` hint (closing at
 * N − 1 s); without a hint, this bound applies (4 s, as the undici client we used before).
 */
const IDLE_SOCKET_MS = 4000;


/**
 * A refusal or failure of our own, thrown through Node's machinery (a failed lookup, a destroyed
 * request) so that it comes back out as the request's error carrying its typed failure. The
 * message is only for whoever sees the raw error (a debugger); the result uses `failure`.
 */
class SendError extends Error {
  constructor(readonly failure: AttemptFailure) {
    super(describeFailure(failure));
    this.name = 'SendError';
  }
}

const systemResolver: Resolver = async (hostname) => {
  const answers = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** Refusal naming every non-public address of the answer and its class (never header values). */
function blockedAnswer(host: string, addresses: readonly string[]): AttemptFailure {
  return {
    kind: 'blocked-address',
    host,
    source: 'dns-answer',
    addresses: addresses.map((address) => ({ address, addressClass: describeAddressClass(address) })),
  };
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
    throw new SendError({ kind: 'dns', host, reason: 'lookup-failed', code: errorCode(err) ?? null });
  }
  if (!Array.isArray(answers) || answers.length === 0) {
    throw new SendError({ kind: 'dns', host, reason: 'no-addresses', code: null });
  }
  const addresses = answers.map((a) => String(a.address));
  // Judge the strings we will dial, not the family the resolver claims.
  const bad = exempt
    ? addresses.filter((a) => net.isIP(a) === 0)
    : addresses.filter((a) => net.isIP(a) === 0 || !isPublicAddress(a));
  if (bad.length > 0) throw new SendError(blockedAnswer(host, bad));
  const first = addresses[0]!;
  return { address: first, family: net.isIP(first) === 6 ? 6 : 4 };
}

/** A `net.connect` lookup function that resolves through the guard. */
function guardedLookup(resolver: Resolver, allowHosts: ReadonlySet<string>): net.LookupFunction {
  return (hostname, options, callback) => {
    const host = hostname.toLowerCase();
    resolveChecked(resolver, host, allowHosts.has(host)).then(
      ({ address, family }) => {
        // With autoSelectFamily (Node 20's default) net asks for `all` and expects an array.
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

/**
 * The error's message, read by its shape rather than `instanceof Error`: an error made in
 * another realm (Node's own, seen from a vm context such as Jest's) is no instance of this
 * realm's Error, and its "aborted" / "socket hang up" would otherwise go unrecognized.
 */
function errorMessage(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|HOSTNAME_MISMATCH)/;

/** The typed failure for an error of the attempt; header values are scrubbed from anything echoed. */
function classifyError(err: unknown, headers: Record<string, string>): AttemptFailure {
  if (err instanceof SendError) return err.failure;
  const code = errorCode(err);
  const message = errorMessage(err);
  switch (code) {
    case 'ECONNREFUSED':
      return { kind: 'connection-refused' };
    case 'ECONNRESET':
      // node:http says "socket hang up" when the receiver closed the connection without
      // answering (FIN), "aborted" when it closed it in the middle of the response body.
      return message === 'socket hang up' || message === 'aborted' ? { kind: 'connection-closed' } : { kind: 'connection-reset' };
    case 'EPIPE':
      return { kind: 'connection-closed' };
    case 'EHOSTUNREACH':
      return { kind: 'unreachable', scope: 'host' };
    case 'ENETUNREACH':
      return { kind: 'unreachable', scope: 'network' };
    case 'ETIMEDOUT':
      return { kind: 'connect-timeout' };
    case 'HPE_INVALID_CONSTANT':
      // Not HTTP at all (the first bytes are not a status line): no parser detail worth showing.
      return { kind: 'invalid-response', code: null };
  }
  if (code !== undefined && TLS_CODE.test(code)) return { kind: 'tls', code };
  if (code !== undefined && code.startsWith('HPE_')) return { kind: 'invalid-response', code };
  return { kind: 'request-failed', code: code ?? null, detail: scrubHeaderValues(message, headers) };
}

/**
 * A failure once response headers have arrived: a connection closed or reset then cut the body
 * off mid-way, which is worth telling apart from a receiver that never answered.
 */
function afterHeaders(failure: AttemptFailure, status: number): AttemptFailure {
  if (failure.kind === 'connection-closed') return { kind: 'response-cut-off', status, connection: 'closed' };
  if (failure.kind === 'connection-reset') return { kind: 'response-cut-off', status, connection: 'reset' };
  return failure;
}

/**
 * `text` without the request's header values (4 characters and longer: shorter ones would shred
 * unrelated words). An error message may quote what was sent, and header values carry secrets;
 * this sender knows every header value, whether or not the caller listed it as a secret.
 */
function scrubHeaderValues(text: string, headers: Record<string, string>): string {
  let out = text;
  for (const value of Object.values(headers)) {
    if (value.length >= 4) out = out.split(value).join(REDACTED);
  }
  return out;
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** Host for the IP-literal check: URL hostname without IPv6 brackets. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/** The caller's headers plus an exact Content-Length (any Content-Length of theirs is replaced). */
function outgoingHeaders(headers: Record<string, string>, body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'content-length') out[name] = value;
  }
  out['content-length'] = String(body.length);
  return out;
}

/**
 * Creates a sender with one keep-alive `http.Agent` and one `https.Agent` (connection pools)
 * for its lifetime. Every new connection goes through the guard described at the top of this
 * file.
 */
export function createHttpSender(options: HttpSenderOptions): HttpSender {
  const { allowHosts, attemptTimeoutMs } = options;
  const resolver = options.resolver ?? systemResolver;
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    // Reuse the most recently freed connection: the rest go idle and expire, so a pool shrinks
    // back after a burst instead of keeping every connection barely alive.
    scheduling: 'lifo' as const,
    // On a socket: closes it when idle in the pool (an active request keeps its own deadline).
    timeout: IDLE_SOCKET_MS,
    // Passed on to net.connect / tls.connect for every new connection: the guard.
    lookup: guardedLookup(resolver, allowHosts),
  };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);

  /**
   * One attempt. Resolves with the result exactly once: when the response is read, on the first
   * failure, or at the deadline — whichever comes first; anything that happens after that (late
   * socket events while the request is torn down) cannot change the returned result.
   */
  function attempt(request: OutgoingRequest, started: number): Promise<SendResult> {
    return new Promise<SendResult>((resolve) => {
      // What the receiver has told us so far; kept in a failed result too (a timeout mid-body
      // still reports the status).
      const answer: { status: number | null; responseBody: string; retryAfter: string | null } = {
        status: null,
        responseBody: '',
        retryAfter: null,
      };
      // The response body as far as it has arrived (at most MAX_RESPONSE_BODY_BYTES).
      const chunks: Buffer[] = [];
      let size = 0;
      /** What arrived of the body, as text; `partial`: it may end inside a character (dropped, not U+FFFD). */
      const bodySoFar = (partial: boolean): string => new TextDecoder('utf-8').decode(Buffer.concat(chunks, size), { stream: partial });
      /** A 2xx status line arrived: the receiver accepted the delivery, whatever became of the body. */
      const accepted = (): boolean => answer.status !== null && answer.status >= 200 && answer.status < 300;
      let settled = false;
      let req: http.ClientRequest | undefined;

      /** Takes the attempt's one result; false if it has one already. */
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        return true;
      };
      const elapsedMs = (): number => Math.round((performance.now() - started) * 1000) / 1000;
      const succeed = (status: number): void => {
        if (settle()) resolve({ ok: true, status, durationMs: elapsedMs(), responseBody: answer.responseBody, retryAfter: answer.retryAfter });
      };
      const failWith = (failure: AttemptFailure): void => {
        if (settle()) resolve({ ok: false, failure, ...answer, durationMs: elapsedMs() });
      };
      const fail = (err: unknown): void => {
        if (accepted()) {
          // Cut off mid-body after a 2xx: delivered (the status line decides, see the top), with what arrived.
          answer.responseBody = bodySoFar(true);
          succeed(answer.status!);
          return;
        }
        const failure = classifyError(err, request.headers);
        failWith(answer.status === null ? failure : afterHeaders(failure, answer.status));
      };

      // One hard deadline for everything: DNS (the lookup), connect, TLS, headers and body.
      // Destroying the request works at any of those stages.
      const timer = setTimeout(() => {
        const failure: AttemptFailure = { kind: 'timeout', afterMs: attemptTimeoutMs };
        if (accepted()) {
          // A 2xx whose body is still arriving at the deadline: delivered too, with what arrived.
          answer.responseBody = bodySoFar(true);
          succeed(answer.status!);
        } else {
          failWith(failure);
        }
        req?.destroy(new SendError(failure));
      }, attemptTimeoutMs);

      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        failWith({ kind: 'invalid-url', reason: 'unparsable' });
        return;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        failWith({ kind: 'invalid-url', reason: 'scheme' });
        return;
      }
      const host = bareHost(url);
      const literal = net.isIP(host) !== 0;
      if (literal && !allowHosts.has(host) && !isPublicAddress(host)) {
        failWith({ kind: 'blocked-address', host, source: 'ip-literal', addresses: [{ address: host, addressClass: describeAddressClass(host) }] });
        return;
      }
      const secure = url.protocol === 'https:';
      const body = Buffer.from(request.body, 'utf8');

      try {
        const requestOptions: https.RequestOptions = {
          agent: secure ? httpsAgent : httpAgent,
          method: 'POST',
          hostname: host,
          port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
          path: `${url.pathname}${url.search}`,
          headers: outgoingHeaders(request.headers, body),
        };
        // SNI and certificate check against the URL's name (never the dialed IP; no SNI for IPs).
        if (secure && !literal) requestOptions.servername = host;
        req = (secure ? https : http).request(requestOptions);
      } catch (err) {
        // Invalid header names or values are refused synchronously.
        fail(err);
        return;
      }

      req.on('error', fail);
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        answer.status = status;
        answer.retryAfter = headerValue(res.headers['retry-after']);
        const done = (truncated: boolean): void => {
          // On a cut, `stream: true` drops a multi-byte character split at the edge instead of
          // turning it into U+FFFD.
          answer.responseBody = bodySoFar(truncated);
          if (status >= 200 && status < 300) succeed(status);
          else if (status >= 300 && status < 400) failWith({ kind: 'redirect', status });
          else failWith({ kind: 'http-status', status });
        };
        res.on('error', fail);
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          if (size + chunk.length > MAX_RESPONSE_BODY_BYTES) {
            chunks.push(chunk.subarray(0, MAX_RESPONSE_BODY_BYTES - size));
            size = MAX_RESPONSE_BODY_BYTES;
            done(true);
            // Stop reading: the rest is never buffered (the connection is closed, not pooled).
            res.destroy();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        // A body that fits is read to its end, so the connection goes back to the pool.
        res.on('end', () => {
          if (!settled) done(false);
        });
      });
      req.end(body);
    });
  }

  return {
    send(request) {
      return attempt(request, performance.now());
    },
    async close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
