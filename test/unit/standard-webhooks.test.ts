/**
 * The Standard Webhooks side of signing (lambdas/domain/signing.ts) against the specification's
 * own library (`standardwebhooks`, the reference TypeScript implementation) and its fixed test
 * vector; the key rule for `whsec_` values; and which values sign during a rotation.
 */
import fc from 'fast-check';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { signingValues } from '../../lambdas/domain/outgoing';
import { standardSignature, standardSigningKey, standardWebhookHeaders } from '../../lambdas/domain/signing';

/** How api.md tells a receiver to hand a secret value to a Standard Webhooks library. */
const WHSEC_BASE64 = /^whsec_(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const librarySecret = (value: string) => (WHSEC_BASE64.test(value) ? value : `whsec_${Buffer.from(value, 'utf8').toString('base64')}`);

/** The library's verify, at the real clock (its tolerance is 5 minutes around now). */
function libraryAccepts(secret: string, body: string, headers: Record<string, string>): boolean {
  try {
    new Webhook(secret).verify(body, headers, { jsonParse: false });
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return false;
    throw error;
  }
}

describe('the specification test vector', () => {
  // From the Standard Webhooks specification's reference libraries (their shared test case).
  const vector = {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };

  test('our signature of the vector is the published one', () => {
    const headers = standardWebhookHeaders([vector.secret], vector.id, new Date(vector.timestamp * 1000), vector.body);
    expect(headers).toEqual({ 'webhook-id': vector.id, 'webhook-timestamp': String(vector.timestamp), 'webhook-signature': vector.signature });
  });

  test('the library computes the same for the vector', () => {
    expect(new Webhook(vector.secret).sign(vector.id, new Date(vector.timestamp * 1000), vector.body)).toBe(vector.signature);
  });
});

describe('signing key (api.md: UTF-8 bytes, or the decoded bytes of whsec_<base64>)', () => {
  test.each([
    ['plain text', 'my-signing-secret', Buffer.from('my-signing-secret')],
    ['whsec_ with base64', 'whsec_c2VjcmV0LWJ5dGVz', Buffer.from('secret-bytes')],
    ['whsec_ with padded base64', 'whsec_YWJjZA==', Buffer.from('abcd')],
    ['whsec_ with text that is not base64', 'whsec_not base64!', Buffer.from('whsec_not base64!')],
    ['whsec_ with unpadded base64', 'whsec_YWJjZA', Buffer.from('whsec_YWJjZA')],
    ['whsec_ alone', 'whsec_', Buffer.from('whsec_')],
    ['unicode text', 'clé-🔑', Buffer.from('clé-🔑', 'utf8')],
  ])('%s', (_name, value, key) => {
    expect(standardSigningKey(value)).toEqual(key);
  });

  test('a whsec_ value is verified by the library as it is', () => {
    const value = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const body = '{"a":1}';
    expect(libraryAccepts(value, body, standardWebhookHeaders([value], 'dlv_1', new Date(), body))).toBe(true);
  });

  test('property: for any value, the library verifies with the secret given as api.md says', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (value, body) => {
        const headers = standardWebhookHeaders([value], 'dlv_prop', new Date(), body);
        expect(libraryAccepts(librarySecret(value), body, headers)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('standardWebhookHeaders', () => {
  const body = '{"event_type":"LINK_ARTIFACT","q":"a\\"b"}';
  const at = new Date();

  test('timestamp is the Unix second of the attempt; the signature covers id, timestamp and body', () => {
    const headers = standardWebhookHeaders(['s3cret'], 'dlv_1', new Date(1_700_000_000_999), body);
    expect(headers['webhook-timestamp']).toBe('1700000000');
    expect(headers['webhook-signature']).toBe(`v1,${standardSignature(Buffer.from('s3cret'), 'dlv_1', 1_700_000_000, body)}`);
  });

  test('two values: two space-separated signatures, the first value first; the library accepts either secret', () => {
    const headers = standardWebhookHeaders(['new-value', 'old-value'], 'dlv_2', at, body);
    const [first, second, ...rest] = headers['webhook-signature'].split(' ');
    expect(rest).toEqual([]);
    expect(first).toBe(standardWebhookHeaders(['new-value'], 'dlv_2', at, body)['webhook-signature']);
    expect(second).toBe(standardWebhookHeaders(['old-value'], 'dlv_2', at, body)['webhook-signature']);
    expect(libraryAccepts(librarySecret('new-value'), body, headers)).toBe(true);
    expect(libraryAccepts(librarySecret('old-value'), body, headers)).toBe(true);
    expect(libraryAccepts(librarySecret('other-value'), body, headers)).toBe(false);
  });

  test('a body, id or timestamp changed by one byte is refused', () => {
    const headers = standardWebhookHeaders(['s3cret'], 'dlv_3', at, body);
    const secret = librarySecret('s3cret');
    expect(libraryAccepts(secret, body, headers)).toBe(true);
    expect(libraryAccepts(secret, body.replace('LINK', 'LINL'), headers)).toBe(false);
    expect(libraryAccepts(secret, `${body} `, headers)).toBe(false);
    expect(libraryAccepts(secret, body, { ...headers, 'webhook-id': 'dlv_4' })).toBe(false);
    expect(libraryAccepts(secret, body, { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) + 1) })).toBe(false);
  });

  test('an old timestamp is refused by the library (replay protection)', () => {
    const headers = standardWebhookHeaders(['s3cret'], 'dlv_5', new Date(Date.now() - 6 * 60_000), body);
    expect(libraryAccepts(librarySecret('s3cret'), body, headers)).toBe(false);
  });
});

describe('signingValues: the previous value signs only inside the overlap, counted from the current version', () => {
  const since = new Date('2026-01-01T00:00:00.000Z');
  const versions = { value: 'new', since, previous: 'old' };
  const after = (ms: number) => new Date(since.getTime() + ms);

  test.each([
    ['at the change', 0, ['new', 'old']],
    ['a moment before the overlap ends', 9_999, ['new', 'old']],
    ['when the overlap ends', 10_000, ['new']],
    ['long after', 86_400_000, ['new']],
  ])('%s', (_name, ms, expected) => {
    expect(signingValues(versions, 10, after(ms as number))).toEqual(expected);
  });

  test('no previous value, or the same value again: one signature', () => {
    expect(signingValues({ ...versions, previous: null }, 10, since)).toEqual(['new']);
    expect(signingValues({ ...versions, previous: 'new' }, 10, since)).toEqual(['new']);
  });

  test('an overlap of 0 never signs with the previous value', () => {
    expect(signingValues(versions, 0, since)).toEqual(['new']);
  });
});
