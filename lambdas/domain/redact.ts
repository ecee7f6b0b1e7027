/**
 * Keeps secret values out of what a receiver sends back. A receiver (or a proxy in front of
 * it) may echo the request — its Authorization header, or a body that holds
 * `${ACCESS_TOKEN}` / `${SECRET_NAME}` — and the answer's first 8 KiB go into the deliveries
 * log, which members can read, and into the test route's answer. Whatever a send returns is
 * therefore cleaned of the secret values that went out with the request: the body, and the
 * free text of a failure (an error message may quote the request too).
 */
import { mapFreeText } from './attempt-failure';
import { MAX_RESPONSE_BODY_BYTES, type OutgoingRequest, type SendResult, type WebhookSender } from './ports';
import { REDACTED } from './redaction';

/** A truncated answer may end in the first part of a secret: that part goes too, from this length on. */
const MIN_TAIL = 6;

/** Escapes `value` as inside a JSON string. */
const jsonEscape = (value: string) => JSON.stringify(value).slice(1, -1);

/** Encoded spellings (base64, URL encoding) are only looked for from this length on: shorter ones shred unrelated text. */
export const MIN_ENCODED_SECRET_LENGTH = 4;

/**
 * The base64 characters that depend only on the value's bytes, wherever they sit in a longer
 * base64 text: for each of the 3 byte offsets the value may start at, the characters whose 6
 * bits all come from the value. An echo of a whole body (or of `Bearer <token>`) encoded
 * together carries one of these; an echo of the value alone carries the full encoding.
 */
function base64Spellings(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms: string[] = [];
  const whole = bytes.toString('base64');
  forms.push(whole, whole.replace(/=+$/, ''));
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    if (end > first) forms.push(encoded.slice(first, end));
  }
  // base64url (JWTs, URL-safe tokens) spells two characters differently.
  return forms.flatMap((form) => [form, form.replace(/\+/g, '-').replace(/\//g, '_')]);
}

/**
 * The spellings a value comes back in: as sent, escaped inside a JSON string (an echo of a
 * JSON body), escaped twice (an echo that quotes that body as a string, as httpbin's do),
 * and — for values of at least {@link MIN_ENCODED_SECRET_LENGTH} characters — URL-encoded
 * (`encodeURIComponent`, upper- or lower-case hex) and base64-encoded (see base64Spellings).
 */
function spellings(value: string): string[] {
  const once = jsonEscape(value);
  const forms = [value, once, jsonEscape(once)];
  if (value.length >= MIN_ENCODED_SECRET_LENGTH) {
    const encoded = safeEncodeURIComponent(value);
    if (encoded !== null) forms.push(encoded, encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
    forms.push(...base64Spellings(value));
  }
  return [...new Set(forms)].filter((form) => form.length > 0);
}

/** encodeURIComponent, or null for a value it refuses (a lone surrogate). */
function safeEncodeURIComponent(value: string): string | null {
  try {
    return encodeURIComponent(value);
  } catch {
    return null;
  }
}

/** Spellings per set of secrets, longest first. Kept because the same webhook's secrets come back on every delivery. */
const formsCache = new Map<string, string[]>();
const FORMS_CACHE_ENTRIES = 200;

function formsFor(secrets: readonly string[]): string[] {
  const key = secrets.join('\u0000');
  let forms = formsCache.get(key);
  if (!forms) {
    forms = [...new Set(secrets.filter((secret) => secret.length > 0).flatMap(spellings))].sort((a, b) => b.length - a.length);
    if (formsCache.size >= FORMS_CACHE_ENTRIES) formsCache.delete(formsCache.keys().next().value as string);
    formsCache.set(key, forms);
  }
  return forms;
}

/**
 * `text` with every occurrence of a secret value (in any spelling above) replaced by
 * `[REDACTED]`. `mayBeCut`: the text may end in the middle of a secret (a response body cut
 * at its size limit), so a secret's start at the very end is redacted too.
 */
export function redactSecrets(text: string, secrets: readonly string[], mayBeCut = true): string {
  const forms = formsFor(secrets);
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
  if (!mayBeCut) return out;
  for (const form of forms) {
    for (let length = form.length - 1; length >= MIN_TAIL; length -= 1) {
      if (out.endsWith(form.slice(0, length))) {
        out = out.slice(0, out.length - length) + REDACTED;
        break;
      }
    }
  }
  return out;
}

/**
 * `redactSecrets`, never longer than `text`: a short secret repeated in an answer would
 * otherwise grow it up to tenfold (each character becoming `[REDACTED]`), and the answer's
 * size is part of what keeps a delivery record inside DynamoDB's item limit. A prefix of
 * cleaned text holds no secret.
 */
function redactWithin(text: string, secrets: readonly string[], mayBeCut: boolean): string {
  return redactSecrets(text, secrets, mayBeCut).slice(0, Math.max(text.length, REDACTED.length));
}

/** A sender whose results never carry the secret values of the request they answer. */
export function redactingSender(sender: WebhookSender): WebhookSender {
  return {
    async send(request: OutgoingRequest): Promise<SendResult> {
      const result = await sender.send(request);
      const secrets = request.secrets ?? [];
      if (secrets.length === 0) return result;
      // Only a body that reached the size limit can end in a cut secret (a multi-byte
      // character at the edge may have been dropped, hence the small margin).
      const responseBody = redactWithin(result.responseBody, secrets, Buffer.byteLength(result.responseBody) >= MAX_RESPONSE_BODY_BYTES - 3);
      if (result.ok) return { ...result, responseBody };
      // An error message is whole: it cannot end in a cut secret.
      return { ...result, responseBody, failure: mapFreeText(result.failure, (text) => redactWithin(text, secrets, false)) };
    },
  };
}
