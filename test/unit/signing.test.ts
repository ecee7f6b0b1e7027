import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { signPayload } from '../../lambdas/domain/signing';

/** What a receiver runs: the body goes in on stdin byte for byte, no shell quoting involved. */
function opensslSignature(secret: string, body: string): string {
  return execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret, '-binary'], { input: Buffer.from(body, 'utf8') })
    .toString('base64');
}

describe('signPayload', () => {
  const cases: Array<[string, string, string]> = [
    ['simple JSON', 'HMAC_SECRET', '{"event_type":"LINK_ARTIFACT"}'],
    ['empty body', 's3cr3t', ''],
    ['quotes and backslashes', 'k', '{"a":"say \\"hi\\" \\\\ path C:\\\\tmp"}'],
    ['unicode body', 'key', '{"name":"modèle-ü-日本語-🚀"}'],
    ['unicode secret', 'clé-🔑', '{"x":1}'],
    ['newlines and tabs', 'key with spaces', '{\n\t"a": "b"\n}\n'],
    ['long body', 'k', JSON.stringify({ data: 'x'.repeat(100_000) })],
  ];

  it.each(cases)('matches openssl for %s', (_name, secret, body) => {
    expect(signPayload(secret, body)).toBe(opensslSignature(secret, body));
  });

  it('produces a 44-character base64 string (32 bytes)', () => {
    expect(signPayload('a', 'b')).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('matches an independent computation for arbitrary secrets and bodies', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (secret, body) => {
        // Independent path: HMAC over string inputs (Node encodes as UTF-8), hex then re-encoded.
        const hex = createHmac('sha256', secret).update(body).digest('hex');
        expect(signPayload(secret, body)).toBe(Buffer.from(hex, 'hex').toString('base64'));
      }),
    );
  });
});
