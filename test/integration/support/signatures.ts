/**
 * What a receiver does with a signed POST, as the tests check it: the Standard Webhooks
 * library's `verify` (the specification's own TypeScript library), and the product page's
 * openssl recipe for `X-Wandb-Signature`.
 */
import { execFileSync } from 'node:child_process';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { ReceivedRequest } from './receiver';

/** Strict padded base64 after `whsec_`: then the value goes to the library as it is (api.md). */
const WHSEC_BASE64 = /^whsec_(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

/** The secret as api.md tells a receiver to give it to a Standard Webhooks library. */
export function librarySecret(value: string): string {
  return WHSEC_BASE64.test(value) ? value : `whsec_${Buffer.from(value, 'utf8').toString('base64')}`;
}

/** Whether `standardwebhooks`' verify accepts this body and these headers with this secret value. */
export function libraryAccepts(secretValue: string, body: string, headers: ReceivedRequest['headers']): boolean {
  const flat = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value ?? '')]));
  try {
    new Webhook(librarySecret(secretValue)).verify(body, flat, { jsonParse: false });
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return false;
    throw error;
  }
}

/** The product page's recipe, run by bash as written there: `echo -n "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64`. */
export function opensslRecipe(secret: string, body: string): string {
  return execFileSync('bash', ['-c', 'echo -n "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64'], {
    env: { ...process.env, BODY: body, SECRET: secret },
  }).toString('utf8').trim();
}

/** The entries of `webhook-signature`. */
export function signatureEntries(request: ReceivedRequest): string[] {
  return String(request.headers['webhook-signature'] ?? '').split(' ').filter(Boolean);
}

/** One byte of the body changed (the first digit or letter after the first quote). */
export function tampered(body: string): string {
  const index = body.search(/[A-Za-z0-9]/);
  const swapped = body[index] === 'a' ? 'b' : 'a';
  return body.slice(0, index) + swapped + body.slice(index + 1);
}

/**
 * Asserts what every signed POST must show for the secret values that should verify it: the
 * library accepts it with each, refuses it with the body or the timestamp changed by one byte,
 * and `X-Wandb-Signature` equals the openssl recipe with the current value (the first).
 */
export function expectSignedBy(request: ReceivedRequest, values: readonly string[]): void {
  const [current] = values;
  expect(request.headers['webhook-id']).toBe(request.headers['x-wandb-delivery']);
  expect(request.headers['webhook-timestamp']).toMatch(/^\d+$/);
  expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
  expect(signatureEntries(request)).toHaveLength(values.length);
  for (const value of values) {
    expect(libraryAccepts(value, request.body, request.headers)).toBe(true);
    expect(libraryAccepts(value, tampered(request.body), request.headers)).toBe(false);
    const later = { ...request.headers, 'webhook-timestamp': String(Number(request.headers['webhook-timestamp']) + 1) };
    expect(libraryAccepts(value, request.body, later)).toBe(false);
  }
  expect(request.headers['x-wandb-signature']).toBe(opensslRecipe(current, request.body));
}
