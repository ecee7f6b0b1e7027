/**
 * Webhook signatures. Receivers verify them with
 * `openssl dgst -sha256 -hmac "$SECRET" -binary | base64`, so the format must match that exactly.
 */
import { createHmac } from 'node:crypto';

/**
 * Signs a delivery body: base64(HMAC-SHA256(secret, body)), both taken as UTF-8.
 * The body must be the exact bytes sent; any re-serialization would break verification.
 */
export function signPayload(secret: string, body: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(body, 'utf8')).digest('base64');
}
