/**
 * Webhook signatures, two schemes side by side on every signed POST (api.md, "The POST a
 * receiver gets"):
 * - `X-Wandb-Signature`: the product page's scheme, base64(HMAC-SHA256(secret, body)). Receivers
 *   verify it with `openssl dgst -sha256 -hmac "$SECRET" -binary | base64`, so the format must
 *   match that exactly.
 * - Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`): the signed
 *   content is `<id>.<timestamp>.<body>`, so a replayed POST is refused once its timestamp is
 *   old, and the header can carry several signatures, which is how a rotation overlaps.
 */
import { createHmac } from 'node:crypto';

/**
 * Signs a delivery body: base64(HMAC-SHA256(secret, body)), both taken as UTF-8.
 * The body must be the exact bytes sent; any re-serialization would break verification.
 */
export function signPayload(secret: string, body: string): string {
  // update(text, 'utf8') hashes the same bytes as a Buffer of the text, without copying the body first.
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(body, 'utf8').digest('base64');
}

/** The prefix Standard Webhooks libraries expect in front of a base64 key. */
export const WHSEC_PREFIX = 'whsec_';

/**
 * Strict, padded standard base64 (what the Standard Webhooks libraries decode), non-empty.
 * Node's own decoder skips characters it does not know, so it cannot be the check.
 */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

/**
 * The HMAC key of the Standard Webhooks signature for a secret value (api.md): for a value
 * `whsec_<base64>` the decoded bytes, so the value can be handed to any Standard Webhooks
 * library as it is; for every other value its UTF-8 bytes (a receiver gives the libraries
 * `whsec_` + base64 of the value). `X-Wandb-Signature` always uses the UTF-8 bytes of the value.
 */
export function standardSigningKey(secretValue: string): Buffer {
  if (secretValue.startsWith(WHSEC_PREFIX)) {
    const encoded = secretValue.slice(WHSEC_PREFIX.length);
    if (STRICT_BASE64.test(encoded)) return Buffer.from(encoded, 'base64');
  }
  return Buffer.from(secretValue, 'utf8');
}

/** One Standard Webhooks signature, without its `v1,` tag: base64(HMAC-SHA256(key, "id.timestamp.body")). */
export function standardSignature(key: Buffer, id: string, timestamp: number, body: string): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body, 'utf8').digest('base64');
}

/** The three Standard Webhooks headers of one attempt. */
export type StandardWebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/**
 * Standard Webhooks headers for one attempt made at `at`: one `v1,` signature per secret
 * value, in the order given (the current value first, then the previous one during a
 * rotation's overlap), space-separated.
 */
export function standardWebhookHeaders(secretValues: readonly string[], id: string, at: Date, body: string): StandardWebhookHeaders {
  const timestamp = Math.floor(at.getTime() / 1000);
  const signatures = secretValues.map((value) => `v1,${standardSignature(standardSigningKey(value), id, timestamp, body)}`);
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatures.join(' ') };
}
