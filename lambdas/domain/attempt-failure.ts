/**
 * What one delivery attempt came to, as a value the domain can decide on. A failure is a
 * tagged union (`kind`) rather than a sentence, so that the delivery worker can tell a refused
 * address (retrying cannot help) from a timeout (it may), and so that the sentence shown in
 * the deliveries log and the test route is derived in one place, {@link describeFailure},
 * instead of being built wherever a failure is noticed.
 *
 * Pure domain code: no node:http, no AWS SDK. The sender adapter (adapters/http-sender.ts)
 * builds the network and HTTP kinds; the worker and the test route build the two decided
 * before sending.
 */

/** One address that made a host refused, and the class that makes it non-public. */
export interface BlockedAddress {
  address: string;
  /** As ip-policy's `describeAddressClass` words it: "loopback", "private", "not an IP address"… */
  addressClass: string;
}

/** Why an attempt did not deliver. */
export type AttemptFailure =
  /**
   * The SSRF guard refused the host: its DNS answer held a non-public address
   * (`source: 'dns-answer'`, every offending address listed), or the URL host is a non-public
   * IP literal (`source: 'ip-literal'`, the one address is the host). Nothing was dialed.
   */
  | { kind: 'blocked-address'; host: string; source: 'dns-answer' | 'ip-literal'; addresses: BlockedAddress[] }
  /** The URL could not be parsed, or its scheme is not http/https. */
  | { kind: 'invalid-url'; reason: 'unparsable' | 'scheme' }
  /**
   * The host name did not resolve: the lookup failed (`code` is the resolver's, e.g. ENOTFOUND,
   * or null when it gave none), or it answered with no addresses at all (`code` null).
   */
  | { kind: 'dns'; host: string; reason: 'lookup-failed' | 'no-addresses'; code: string | null }
  | { kind: 'connection-refused' }
  | { kind: 'connection-reset' }
  /** The receiver closed the connection before any (complete) answer. */
  | { kind: 'connection-closed' }
  | { kind: 'unreachable'; scope: 'host' | 'network' }
  /** The TCP connect timed out by the system's own limit (ETIMEDOUT), before our deadline did. */
  | { kind: 'connect-timeout' }
  /** Our attempt deadline passed, at whatever stage (DNS, connect, TLS, headers, body). */
  | { kind: 'timeout'; afterMs: number }
  /** The TLS handshake or certificate check failed; `code` is Node's (e.g. DEPTH_ZERO_SELF_SIGNED_CERT). */
  | { kind: 'tls'; code: string }
  /** The answer was malformed HTTP (`code`: the parser's HPE_* code), or not HTTP at all (`code` null). */
  | { kind: 'invalid-response'; code: string | null }
  /** A complete answer with a status that is neither 2xx nor 3xx. */
  | { kind: 'http-status'; status: number }
  /** A 3xx answer; redirects are never followed. */
  | { kind: 'redirect'; status: number }
  /** Headers arrived, then the connection was closed or reset in the middle of the body. */
  | { kind: 'response-cut-off'; status: number; connection: 'closed' | 'reset' }
  /** Anything else. `detail` is the error's message, already scrubbed of request header values. */
  | { kind: 'request-failed'; code: string | null; detail: string }
  // Decided before sending, by the domain (delivery worker / test route):
  /** The webhook's signing secret or access token names a secret that does not exist. */
  | { kind: 'missing-secret'; secretName: string }
  /** The delivery's webhook no longer exists. */
  | { kind: 'webhook-deleted' }
  /** The event's record is gone (past retention), so there is nothing to render. */
  | { kind: 'event-expired' };

/** The `kind`s of {@link AttemptFailure}. */
export type AttemptFailureKind = AttemptFailure['kind'];

/**
 * What one POST attempt came to, in the shape the deliveries log and the test route use. `ok`
 * is the discriminant: only a failed attempt has a `failure`.
 */
export type SendResult =
  | {
      /** A 2xx answer, read within the attempt timeout. */
      ok: true;
      status: number;
      durationMs: number;
      /** The first 8 KiB of the response body, decoded as UTF-8. */
      responseBody: string;
      /** The receiver's Retry-After header, verbatim, when present. */
      retryAfter: string | null;
    }
  | {
      ok: false;
      failure: AttemptFailure;
      /** HTTP status, or null when no response headers arrived (kept on a timeout mid-body too). */
      status: number | null;
      durationMs: number;
      /** What was read of the response body ('' unless the answer was read to its end or limit). */
      responseBody: string;
      retryAfter: string | null;
    };

/**
 * The human text for the deliveries log and the test route. Derived, never stored as the
 * source of truth; the wording is part of the API (clients and tests match on it), so each
 * kind keeps the sentence it had when failures were strings.
 */
export function describeFailure(failure: AttemptFailure): string {
  switch (failure.kind) {
    case 'blocked-address':
      if (failure.source === 'ip-literal') {
        return `blocked: ${failure.host} is a non-public address (${failure.addresses.map((a) => a.addressClass).join('; ')})`;
      }
      return `blocked: ${failure.host} resolves to a non-public address (${failure.addresses.map((a) => `${a.address}, ${a.addressClass}`).join('; ')})`;
    case 'invalid-url':
      return failure.reason === 'scheme' ? 'scheme must be http or https' : 'invalid URL';
    case 'dns':
      if (failure.reason === 'no-addresses') return `DNS lookup failed for ${failure.host} (no addresses)`;
      return `DNS lookup failed for ${failure.host}${withCode(failure.code)}`;
    case 'connection-refused':
      return 'connection refused';
    case 'connection-reset':
      return 'connection reset by receiver';
    case 'connection-closed':
      return 'connection closed by receiver';
    case 'unreachable':
      return `${failure.scope} unreachable`;
    case 'connect-timeout':
      return 'connect timeout';
    case 'timeout':
      return `timeout after ${failure.afterMs} ms`;
    case 'tls':
      return `TLS error (${failure.code})`;
    case 'invalid-response':
      return `invalid HTTP response${withCode(failure.code)}`;
    case 'http-status':
      return `HTTP ${failure.status}`;
    case 'redirect':
      return `redirect not followed (${failure.status})`;
    case 'response-cut-off':
      // The status is already in the attempt's own `status`; the text says how the body ended.
      return `connection ${failure.connection} by receiver`;
    case 'request-failed':
      return `request failed${withCode(failure.code)}: ${failure.detail}`;
    case 'missing-secret':
      return `secret ${failure.secretName} not found`;
    case 'webhook-deleted':
      return 'webhook was deleted';
    case 'event-expired':
      return 'event record expired';
    default:
      return unknownKind(failure);
  }
}

/**
 * The failure with `clean` applied to each of its free-text fields — text that may echo
 * something from outside (an error message), as opposed to our own codes and words, the URL's
 * host (already in the delivery record) or a secret's name. Each kind is listed, so a new kind
 * must say whether it carries such text.
 */
export function mapFreeText(failure: AttemptFailure, clean: (text: string) => string): AttemptFailure {
  switch (failure.kind) {
    case 'request-failed':
      return { ...failure, detail: clean(failure.detail) };
    case 'blocked-address':
    case 'invalid-url':
    case 'dns':
    case 'connection-refused':
    case 'connection-reset':
    case 'connection-closed':
    case 'unreachable':
    case 'connect-timeout':
    case 'timeout':
    case 'tls':
    case 'invalid-response':
    case 'http-status':
    case 'redirect':
    case 'response-cut-off':
    case 'missing-secret':
    case 'webhook-deleted':
    case 'event-expired':
      return failure;
    default:
      return unknownKind(failure);
  }
}

/** ` (CODE)`, or nothing when there is no code. */
function withCode(code: string | null): string {
  return code ? ` (${code})` : '';
}

/** Compile-time exhaustiveness: only reachable with a kind this module does not know. */
function unknownKind(failure: never): never {
  throw new Error(`unknown attempt failure kind: ${(failure as { kind?: unknown }).kind}`);
}
