import fc from 'fast-check';
import { signPayload } from '../../lambdas/domain/signing';
import { verifySignature } from '../../lambdas/domain/verify-signature';

describe('verifySignature', () => {
  const body = '{"event_type":"BUILD_AND_DEPLOY","q":"a\\"b"}';

  test.each([
    ['the signature of the body', signPayload('s3cret', body), true],
    ['with surrounding whitespace', ` ${signPayload('s3cret', body)}\n`, true],
    ['another secret', signPayload('other', body), false],
    ['another body', signPayload('s3cret', `${body} `), false],
    ['empty', '', false],
    ['missing', undefined, false],
    ['repeated header', [signPayload('s3cret', body)], false],
    ['truncated', signPayload('s3cret', body).slice(0, 10), false],
  ])('%s → %s', (_name, signature, expected) => {
    expect(verifySignature('s3cret', body, signature as string | undefined)).toBe(expected);
  });

  test('accepts the raw body as a Buffer', () => {
    expect(verifySignature('k', Buffer.from(body), signPayload('k', body))).toBe(true);
  });

  test('property: accepts exactly its own signature', () => {
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), (secret, payload, other) => {
      expect(verifySignature(secret, payload, signPayload(secret, payload))).toBe(true);
      if (other !== payload) expect(verifySignature(secret, other, signPayload(secret, payload))).toBe(false);
    }));
  });
});
