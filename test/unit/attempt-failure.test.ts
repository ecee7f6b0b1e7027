/**
 * The typed attempt failures (lambdas/domain/attempt-failure.ts): the text each kind is shown
 * as — the wording clients and the integration tests match on — and that the union stays
 * exhaustively handled.
 */
import { describeFailure, mapFreeText, type AttemptFailure, type AttemptFailureKind } from '../../lambdas/domain/attempt-failure';

/**
 * Every kind, as a compile-time list: adding a kind to the union without adding it here fails
 * type checking (a missing key), so the table below cannot silently miss one.
 */
const EVERY_KIND: Record<AttemptFailureKind, true> = {
  'blocked-address': true,
  'invalid-url': true,
  dns: true,
  'connection-refused': true,
  'connection-reset': true,
  'connection-closed': true,
  unreachable: true,
  'connect-timeout': true,
  timeout: true,
  tls: true,
  'invalid-response': true,
  'http-status': true,
  redirect: true,
  'response-cut-off': true,
  'request-failed': true,
  'missing-secret': true,
  'webhook-deleted': true,
  'event-expired': true,
};

const TEXTS: Array<[AttemptFailure, string]> = [
  [
    {
      kind: 'blocked-address',
      host: 'hooks.example.test',
      source: 'dns-answer',
      addresses: [
        { address: '127.0.0.1', addressClass: 'loopback' },
        { address: '10.0.0.1', addressClass: 'private' },
      ],
    },
    'blocked: hooks.example.test resolves to a non-public address (127.0.0.1, loopback; 10.0.0.1, private)',
  ],
  [
    { kind: 'blocked-address', host: 'hooks.example.test', source: 'dns-answer', addresses: [{ address: 'not-an-address', addressClass: 'not an IP address' }] },
    'blocked: hooks.example.test resolves to a non-public address (not-an-address, not an IP address)',
  ],
  [
    { kind: 'blocked-address', host: '::ffff:7f00:1', source: 'ip-literal', addresses: [{ address: '::ffff:7f00:1', addressClass: 'IPv4-mapped loopback' }] },
    'blocked: ::ffff:7f00:1 is a non-public address (IPv4-mapped loopback)',
  ],
  [{ kind: 'invalid-url', reason: 'unparsable' }, 'invalid URL'],
  [{ kind: 'invalid-url', reason: 'scheme' }, 'scheme must be http or https'],
  [{ kind: 'dns', host: 'nowhere.example.test', reason: 'lookup-failed', code: 'ENOTFOUND' }, 'DNS lookup failed for nowhere.example.test (ENOTFOUND)'],
  [{ kind: 'dns', host: 'nowhere.example.test', reason: 'lookup-failed', code: null }, 'DNS lookup failed for nowhere.example.test'],
  [{ kind: 'dns', host: 'empty.example.test', reason: 'no-addresses', code: null }, 'DNS lookup failed for empty.example.test (no addresses)'],
  [{ kind: 'connection-refused' }, 'connection refused'],
  [{ kind: 'connection-reset' }, 'connection reset by receiver'],
  [{ kind: 'connection-closed' }, 'connection closed by receiver'],
  [{ kind: 'unreachable', scope: 'host' }, 'host unreachable'],
  [{ kind: 'unreachable', scope: 'network' }, 'network unreachable'],
  [{ kind: 'connect-timeout' }, 'connect timeout'],
  [{ kind: 'timeout', afterMs: 15000 }, 'timeout after 15000 ms'],
  [{ kind: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'TLS error (DEPTH_ZERO_SELF_SIGNED_CERT)'],
  [{ kind: 'invalid-response', code: null }, 'invalid HTTP response'],
  [{ kind: 'invalid-response', code: 'HPE_INVALID_HEADER_TOKEN' }, 'invalid HTTP response (HPE_INVALID_HEADER_TOKEN)'],
  [{ kind: 'http-status', status: 500 }, 'HTTP 500'],
  [{ kind: 'redirect', status: 302 }, 'redirect not followed (302)'],
  [{ kind: 'response-cut-off', status: 200, connection: 'closed' }, 'connection closed by receiver'],
  [{ kind: 'response-cut-off', status: 502, connection: 'reset' }, 'connection reset by receiver'],
  [{ kind: 'request-failed', code: 'ERR_INVALID_CHAR', detail: 'Invalid character in header content ["x"]' }, 'request failed (ERR_INVALID_CHAR): Invalid character in header content ["x"]'],
  [{ kind: 'request-failed', code: null, detail: 'something odd' }, 'request failed: something odd'],
  [{ kind: 'missing-secret', secretName: 'HMAC_KEY' }, 'secret HMAC_KEY not found'],
  [{ kind: 'webhook-deleted' }, 'webhook was deleted'],
  [{ kind: 'event-expired' }, 'event record expired'],
];

describe('describeFailure', () => {
  test.each(TEXTS)('%j reads as %j', (failure, text) => {
    expect(describeFailure(failure)).toBe(text);
  });

  test('the table covers every kind', () => {
    expect(new Set(TEXTS.map(([failure]) => failure.kind))).toEqual(new Set(Object.keys(EVERY_KIND)));
  });

  test('a kind it does not know (data from elsewhere, cast) is an error, not a silent text', () => {
    expect(() => describeFailure({ kind: 'martian' } as unknown as AttemptFailure)).toThrow('unknown attempt failure kind: martian');
  });
});

/**
 * A consumer's decision over the kinds (here: did the receiver answer at all?). It type-checks
 * only while it handles every kind: the `never` assignment fails to compile once a kind is
 * added to the union and not handled here.
 */
function answered(failure: AttemptFailure): boolean {
  switch (failure.kind) {
    case 'invalid-response':
    case 'http-status':
    case 'redirect':
    case 'response-cut-off':
      return true;
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
    case 'request-failed':
    case 'missing-secret':
    case 'webhook-deleted':
    case 'event-expired':
      return false;
    default: {
      const unhandled: never = failure;
      return unhandled;
    }
  }
}

test('a switch over the kinds is exhaustive at compile time', () => {
  // The check is the compilation of `answered` above; running it shows it is total.
  for (const [failure] of TEXTS) expect(typeof answered(failure)).toBe('boolean');
  expect(answered({ kind: 'http-status', status: 500 })).toBe(true);
  expect(answered({ kind: 'connection-refused' })).toBe(false);
});

describe('mapFreeText', () => {
  test('cleans only the free text (request-failed detail)', () => {
    const shout = (text: string) => text.toUpperCase();
    expect(mapFreeText({ kind: 'request-failed', code: 'EPROTO', detail: 'echoed token' }, shout)).toEqual({
      kind: 'request-failed',
      code: 'EPROTO',
      detail: 'ECHOED TOKEN',
    });
  });

  test.each(TEXTS.filter(([failure]) => failure.kind !== 'request-failed'))('leaves %j as it is', (failure) => {
    const seen: string[] = [];
    expect(mapFreeText(failure, (text) => (seen.push(text), 'changed'))).toBe(failure);
    expect(seen).toEqual([]);
  });
});
