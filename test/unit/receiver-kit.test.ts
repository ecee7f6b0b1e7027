/**
 * The receiver kit's TypeScript verifier (docs/receiver-kit/verify.ts), a copy-and-use file with
 * no dependencies, against the service's own signing (lambdas/domain/signing.ts) and the
 * Standard Webhooks library's: accepts exactly what is signed, within the tolerance, with any of
 * several signatures and secrets; refuses a byte changed anywhere.
 */
import { Webhook } from 'standardwebhooks';
import { standardSigningKey as kitKey, verifyStandardWebhook, verifyWandbSignature } from '../../docs/receiver-kit/verify';
import { signPayload, standardSigningKey, standardWebhookHeaders } from '../../lambdas/domain/signing';

const body = '{"event_type":"LINK_ARTIFACT","author":"al\\"ice","note":"modèle 🚀"}';
const NOW = 1_760_000_000_000;
const signed = (values: string[], at = NOW, id = 'dlv_abc') => standardWebhookHeaders(values, id, new Date(at), body);

describe('verifyStandardWebhook', () => {
  test('accepts the service\'s headers, as a string, Buffer or Uint8Array body and as Node, plain or Fetch headers', () => {
    const headers = signed(['s3cret']);
    const node = Object.fromEntries(Object.entries(headers));
    const mixedCase = { 'Webhook-Id': headers['webhook-id'], 'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'], 'webhook-Signature': headers['webhook-signature'] };
    for (const raw of [body, Buffer.from(body), new Uint8Array(Buffer.from(body))]) {
      for (const given of [node, mixedCase, new Headers(headers)]) {
        expect(verifyStandardWebhook('s3cret', raw, given, { now: NOW })).toEqual({ ok: true, id: 'dlv_abc', timestamp: NOW / 1000 });
      }
    }
  });

  test('a body, id, timestamp or signature changed by one byte is refused', () => {
    const headers = signed(['s3cret']);
    const refused = (raw: string, given: Record<string, string>) => verifyStandardWebhook('s3cret', raw, given, { now: NOW }).ok;
    expect(refused(body.replace('LINK', 'LINL'), headers)).toBe(false);
    expect(refused(`${body} `, headers)).toBe(false);
    expect(refused(body, { ...headers, 'webhook-id': 'dlv_abd' })).toBe(false);
    expect(refused(body, { ...headers, 'webhook-timestamp': String(NOW / 1000 + 1) })).toBe(false);
    const signature = headers['webhook-signature'];
    expect(refused(body, { ...headers, 'webhook-signature': `${signature.slice(0, -2)}A=` })).toBe(false);
    expect(refused(body, { ...headers, 'webhook-signature': signature.replace('v1,', 'v2,') })).toBe(false);
  });

  test('5-minute tolerance either way; a non-numeric timestamp or missing header is refused with a reason', () => {
    const headers = signed(['k']);
    expect(verifyStandardWebhook('k', body, headers, { now: NOW + 300_000 }).ok).toBe(true);
    expect(verifyStandardWebhook('k', body, headers, { now: NOW + 301_000 })).toEqual({ ok: false, reason: expect.stringMatching(/tolerance/) });
    expect(verifyStandardWebhook('k', body, headers, { now: NOW - 301_000 }).ok).toBe(false);
    expect(verifyStandardWebhook('k', body, headers, { now: NOW + 3_600_000, toleranceSeconds: 3600 }).ok).toBe(true);
    expect(verifyStandardWebhook('k', body, { ...headers, 'webhook-timestamp': '1e9' }, { now: NOW })).toEqual({ ok: false, reason: expect.stringMatching(/number/) });
    const { 'webhook-id': _id, ...withoutId } = headers;
    expect(verifyStandardWebhook('k', body, withoutId, { now: NOW })).toEqual({ ok: false, reason: expect.stringMatching(/missing/) });
  });

  test('rotation: two signatures verify with either secret; the receiver may hold two secrets itself', () => {
    const headers = signed(['new-value', 'old-value']);
    expect(verifyStandardWebhook('new-value', body, headers, { now: NOW }).ok).toBe(true);
    expect(verifyStandardWebhook('old-value', body, headers, { now: NOW }).ok).toBe(true);
    expect(verifyStandardWebhook('other', body, headers, { now: NOW }).ok).toBe(false);
    expect(verifyStandardWebhook(['other', 'new-value'], body, signed(['new-value']), { now: NOW }).ok).toBe(true);
    // Entries of other versions (e.g. asymmetric v1a) are skipped, not an error.
    expect(verifyStandardWebhook('new-value', body, { ...headers, 'webhook-signature': `v1a,xyz ${headers['webhook-signature']}` }, { now: NOW }).ok).toBe(true);
  });

  test('the key rule matches the service and the library (whsec_ values as they are)', () => {
    for (const value of ['plain', 'whsec_c2VjcmV0LWJ5dGVz', 'whsec_not-base64', 'whsec_YWJjZA', 'clé']) expect(kitKey(value)).toEqual(standardSigningKey(value));
    const value = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const library = new Webhook(value).sign('msg_1', new Date(NOW), body);
    expect(verifyStandardWebhook(value, body, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(NOW / 1000), 'webhook-signature': library }, { now: NOW }).ok).toBe(true);
  });
});

describe('verifyWandbSignature', () => {
  test('accepts the service\'s X-Wandb-Signature and nothing else', () => {
    const signature = signPayload('s3cret', body);
    expect(verifyWandbSignature('s3cret', body, signature)).toBe(true);
    expect(verifyWandbSignature('s3cret', Buffer.from(body), ` ${signature}\n`)).toBe(true);
    expect(verifyWandbSignature(['old', 's3cret'], body, signature)).toBe(true);
    expect(verifyWandbSignature('s3cret', `${body} `, signature)).toBe(false);
    expect(verifyWandbSignature('other', body, signature)).toBe(false);
    expect(verifyWandbSignature('s3cret', body, undefined)).toBe(false);
    expect(verifyWandbSignature('s3cret', body, [signature])).toBe(false);
  });
});
