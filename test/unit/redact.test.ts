/** Secret values are cleaned out of what a receiver sends back (lambdas/domain/redact.ts). */
import type { OutgoingRequest, SendResult, WebhookSender } from '../../lambdas/domain/ports';
import { redactSecrets, redactingSender } from '../../lambdas/domain/redact';

const TOKEN = 'ghp_token_1234567890';
const QUOTED = 'sig"with\\quotes';

test('raw, JSON-escaped and twice-escaped spellings are replaced', () => {
  const once = JSON.stringify(QUOTED).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  const text = `a ${TOKEN} b ${QUOTED} c ${once} d ${twice} e`;
  expect(redactSecrets(text, [TOKEN, QUOTED])).toBe('a [REDACTED] b [REDACTED] c [REDACTED] d [REDACTED] e');
});

test('the start of a secret cut off at the end of a truncated answer goes too', () => {
  expect(redactSecrets(`{"echo":"${TOKEN.slice(0, 9)}`, [TOKEN])).toBe('{"echo":"[REDACTED]');
  // Shorter fragments are left: too common to mean anything.
  expect(redactSecrets('ends with ghp_t', [TOKEN])).toBe('ends with ghp_t');
});

test('text without secrets, and empty secrets, change nothing', () => {
  expect(redactSecrets('nothing to see', [TOKEN, ''])).toBe('nothing to see');
  expect(redactSecrets('', [TOKEN])).toBe('');
});

test('redactingSender cleans responseBody and error with the secrets the request carried', async () => {
  const result: SendResult = { ok: false, status: 500, durationMs: 3, responseBody: `echo: Bearer ${TOKEN}`, error: `HTTP 500 ${TOKEN}`, retryAfter: null };
  const inner: WebhookSender = { send: async () => ({ ...result }) };
  const request: OutgoingRequest = { url: 'https://ci.example.com/', headers: {}, body: '{}', secrets: [TOKEN] };
  expect(await redactingSender(inner).send(request)).toEqual({ ...result, responseBody: 'echo: Bearer [REDACTED]', error: 'HTTP 500 [REDACTED]' });
  expect(await redactingSender(inner).send({ ...request, secrets: undefined })).toEqual(result);
});
