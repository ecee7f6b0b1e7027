/**
 * The receiver's side of `X-Wandb-Signature` alone: checks it against the raw request body.
 * Verify the bytes as received, before any JSON parsing. Endpoint owners: copy
 * docs/receiver-kit/verify.ts instead (both schemes, replay protection, no dependencies).
 *
 * ```ts
 * import { verifySignature } from './verify-signature';
 * if (!verifySignature(process.env.WEBHOOK_SECRET!, rawBody, req.headers['x-wandb-signature'])) return res.status(401).end();
 * ```
 */
import { timingSafeEqual } from 'node:crypto';
import { signPayload } from './signing';

/**
 * True when `signature` is base64(HMAC-SHA256(secret, body)). Compared in constant time, so
 * the answer's timing tells an attacker nothing about how much of a forged signature matched.
 */
export function verifySignature(secret: string, body: string | Buffer, signature: string | string[] | undefined): boolean {
  if (typeof signature !== 'string' || signature.length === 0) return false;
  const expected = Buffer.from(signPayload(secret, Buffer.isBuffer(body) ? body.toString('utf8') : body), 'utf8');
  const given = Buffer.from(signature.trim(), 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
