/**
 * Keeps secret values out of what a receiver sends back. A receiver (or a proxy in front of
 * it) may echo the request — its Authorization header, or a body that holds
 * `${ACCESS_TOKEN}` / `${SECRET_NAME}` — and the answer's first 8 KiB go into the deliveries
 * log, which members can read, and into the test route's answer. Whatever a send returns is
 * therefore cleaned of the secret values that went out with the request.
 */
import type { OutgoingRequest, SendResult, WebhookSender } from './ports';
import { REDACTED } from './template';

/** A truncated answer may end in the first part of a secret: that part goes too, from this length on. */
const MIN_TAIL = 6;

/** Escapes `value` as inside a JSON string. */
const jsonEscape = (value: string) => JSON.stringify(value).slice(1, -1);

/**
 * The spellings a value comes back in: as sent, escaped inside a JSON string (an echo of a
 * JSON body), and escaped twice (an echo that quotes that body as a string, as httpbin's do).
 */
function spellings(value: string): string[] {
  const once = jsonEscape(value);
  return [...new Set([value, once, jsonEscape(once)])];
}

/** `text` with every occurrence of a secret value (in any spelling above) replaced by `[REDACTED]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const forms = secrets.filter((secret) => secret.length > 0).flatMap(spellings).sort((a, b) => b.length - a.length);
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
  // The answer is cut at 8 KiB: a secret may have been cut in two, leaving its start at the end.
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

/** A sender whose results never carry the secret values of the request they answer. */
export function redactingSender(sender: WebhookSender): WebhookSender {
  return {
    async send(request: OutgoingRequest): Promise<SendResult> {
      const result = await sender.send(request);
      const secrets = request.secrets ?? [];
      if (secrets.length === 0) return result;
      return {
        ...result,
        responseBody: redactSecrets(result.responseBody, secrets),
        error: result.error === null ? null : redactSecrets(result.error, secrets),
      };
    },
  };
}
