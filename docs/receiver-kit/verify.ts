/**
 * Registry Webhooks receiver kit: verify a webhook POST on your endpoint. Copy this one file
 * into your project; it needs nothing but Node.js (`node:crypto`), no npm package.
 *
 * Every signed POST carries two signatures of the same body (README.md beside this file):
 * - Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`
 *   (`v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, space-separated when a secret
 *   is being rotated). The timestamp is signed, so an old POST replayed later is refused. Use
 *   this one: {@link verifyStandardWebhook}.
 * - `X-Wandb-Signature`: base64 HMAC-SHA256(secret, body), the W&B product page's scheme. No
 *   timestamp, so no replay protection; for receivers written against W&B: {@link verifyWandbSignature}.
 *
 * Always verify the raw body bytes exactly as received, before parsing the JSON.
 *
 * ```ts
 * const result = verifyStandardWebhook(process.env.WEBHOOK_SECRET!, rawBody, req.headers);
 * if (!result.ok) return res.writeHead(401).end(result.reason);
 * ```
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The headers of a request: Node's `req.headers`, a Fetch `Headers`, or a plain object. */
export type RequestHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** What a raw body may be given as. */
export type RawBody = Buffer | Uint8Array | string;

/** Options of {@link verifyStandardWebhook}. */
export interface VerifyOptions {
  /** How far `webhook-timestamp` may be from now, either way, in seconds. Default 300 (5 minutes). */
  toleranceSeconds?: number;
  /** The current time in epoch milliseconds (for tests). Default `Date.now()`. */
  now?: number;
}

/** The outcome: accepted (with the id to de-duplicate on) or refused (with why, safe to log). */
export type VerifyResult =
  | { ok: true; id: string; timestamp: number }
  | { ok: false; reason: string };

const DEFAULT_TOLERANCE_SECONDS = 300;

/** Padded standard base64, non-empty: a `whsec_` value whose rest is this is a base64 key. */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

/**
 * The Standard Webhooks HMAC key of a secret value: for `whsec_<base64>` the decoded bytes,
 * for any other value its UTF-8 bytes (the service signs with the same rule).
 */
export function standardSigningKey(secret: string): Buffer {
  if (secret.startsWith('whsec_') && STRICT_BASE64.test(secret.slice(6))) return Buffer.from(secret.slice(6), 'base64');
  return Buffer.from(secret, 'utf8');
}

function bytes(body: RawBody): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** One header's value; a repeated header counts as absent (a signed POST never repeats one). */
function header(headers: RequestHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return typeof value === 'string' ? value : undefined;
}

/** Constant-time equality of two texts (their lengths are not secret: a signature is always 44 characters). */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

const list = (secrets: string | readonly string[]): readonly string[] => (typeof secrets === 'string' ? [secrets] : secrets);

/**
 * Verifies the Standard Webhooks headers against the raw body: the timestamp within the
 * tolerance, and any `v1` signature of the header made with any of `secrets` (give two while you
 * switch to a new secret yourself). During the service's rotation overlap the header carries the
 * new and the previous value's signatures, so either secret verifies. Compares in constant time.
 * After it accepts, de-duplicate on `result.id`: a delivery may arrive more than once.
 */
export function verifyStandardWebhook(secrets: string | readonly string[], rawBody: RawBody, headers: RequestHeaders, options: VerifyOptions = {}): VerifyResult {
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestampText || !signatures) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  if (!/^[0-9]{1,15}$/.test(timestampText)) return { ok: false, reason: 'webhook-timestamp is not a number of seconds' };
  const timestamp = Number(timestampText);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = (options.now ?? Date.now()) / 1000;
  if (Math.abs(now - timestamp) > tolerance) return { ok: false, reason: 'webhook-timestamp is outside the tolerance (replayed, or a clock is off)' };
  const given = signatures.split(' ').filter((entry) => entry.startsWith('v1,')).map((entry) => entry.slice(3));
  const body = bytes(rawBody);
  for (const secret of list(secrets)) {
    const expected = createHmac('sha256', standardSigningKey(secret)).update(`${id}.${timestampText}.`, 'utf8').update(body).digest('base64');
    // Every candidate is compared, so the time taken does not tell which one matched.
    let matched = false;
    for (const signature of given) matched = sameText(expected, signature) || matched;
    if (matched) return { ok: true, id, timestamp };
  }
  return { ok: false, reason: 'no webhook-signature matches' };
}

/**
 * Verifies `X-Wandb-Signature` (base64 HMAC-SHA256 of the raw body with the secret value's
 * UTF-8 bytes), in constant time, with any of `secrets`. It always uses the secret's current
 * value; it carries no timestamp, so prefer {@link verifyStandardWebhook}.
 */
export function verifyWandbSignature(secrets: string | readonly string[], rawBody: RawBody, signature: string | readonly string[] | null | undefined): boolean {
  if (typeof signature !== 'string' || signature.trim() === '') return false;
  const body = bytes(rawBody);
  let matched = false;
  for (const secret of list(secrets)) {
    matched = sameText(createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('base64'), signature.trim()) || matched;
  }
  return matched;
}
