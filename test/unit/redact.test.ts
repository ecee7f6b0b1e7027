/** Secret values are cleaned out of what a receiver sends back (lambdas/domain/redact.ts). */
import { describeFailure } from '../../lambdas/domain/attempt-failure';
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

test('redactingSender cleans responseBody and the free text of a failure with the secrets the request carried', async () => {
  const result: SendResult = {
    ok: false,
    failure: { kind: 'request-failed', code: 'EPROTO', detail: `bad answer to ${TOKEN}` },
    status: null,
    durationMs: 3,
    responseBody: `echo: Bearer ${TOKEN}`,
    retryAfter: null,
  };
  const inner: WebhookSender = { send: async () => structuredClone(result) };
  const request: OutgoingRequest = { url: 'https://ci.example.com/', headers: {}, body: '{}', secrets: [TOKEN] };
  const cleaned = await redactingSender(inner).send(request);
  expect(cleaned).toEqual({
    ...result,
    failure: { kind: 'request-failed', code: 'EPROTO', detail: 'bad answer to [REDACTED]' },
    responseBody: 'echo: Bearer [REDACTED]',
  });
  expect(cleaned.ok ? null : describeFailure(cleaned.failure)).toBe('request failed (EPROTO): bad answer to [REDACTED]');
  expect(await redactingSender(inner).send({ ...request, secrets: undefined })).toEqual(result);
});

test('redactingSender leaves a failure without free text as it is, and cleans the body of a success', async () => {
  const secretName = 'HMAC_KEY';
  const failed: SendResult = { ok: false, failure: { kind: 'missing-secret', secretName }, status: null, durationMs: 0, responseBody: '', retryAfter: null };
  const request: OutgoingRequest = { url: 'https://ci.example.com/', headers: {}, body: '{}', secrets: [TOKEN, 'HMAC'] };
  // A secret's name is not its value, even where the two overlap: the name stays.
  expect(await redactingSender({ send: async () => structuredClone(failed) }).send(request)).toEqual(failed);
  const ok: SendResult = { ok: true, status: 200, durationMs: 1, responseBody: `hi ${TOKEN}`, retryAfter: null };
  expect(await redactingSender({ send: async () => structuredClone(ok) }).send(request)).toEqual({ ...ok, responseBody: 'hi [REDACTED]' });
});

describe('encoded echoes (base64, URL encoding)', () => {
  const SECRET = 'tok/en+va=lue?&é';

  test('the value base64-encoded alone (standard and URL-safe, padded or not) is replaced', () => {
    const standard = Buffer.from(SECRET).toString('base64');
    const urlSafe = Buffer.from(SECRET).toString('base64url');
    expect(standard).not.toBe(urlSafe);
    for (const form of [standard, standard.replace(/=+$/, ''), urlSafe]) {
      const cleaned = redactSecrets(`{"echo":"${form}"}`, [SECRET]);
      expect({ form, cleaned }).toEqual({ form, cleaned: '{"echo":"[REDACTED]"}' });
    }
  });

  test('the value inside a longer base64 text, at any byte offset, leaves no decodable trace', () => {
    for (const prefix of ['', 'a', 'ab', 'Bearer ', '{"token":"']) {
      const encoded = Buffer.from(`${prefix}${SECRET} and more`).toString('base64');
      const cleaned = redactSecrets(`echo: ${encoded}`, [SECRET]);
      expect(cleaned).toContain('[REDACTED]');
      // Whatever is left decodes to at most a character of the value on each side.
      const decoded = cleaned
        .slice('echo: '.length)
        .split('[REDACTED]')
        .map((part) => Buffer.from(part, 'base64').toString('latin1'))
        .join('');
      expect({ prefix, decoded }).toEqual({ prefix, decoded: expect.not.stringContaining('en+va=l') });
    }
  });

  test('the value URL-encoded (encodeURIComponent, either hex case) is replaced', () => {
    const encoded = encodeURIComponent(SECRET);
    expect(encoded).not.toBe(SECRET);
    expect(redactSecrets(`https://r.example/?token=${encoded}&x=1`, [SECRET])).toBe('https://r.example/?token=[REDACTED]&x=1');
    expect(redactSecrets(`token=${encoded.toLowerCase()}`, [SECRET])).toBe('token=[REDACTED]');
  });

  test('raw and JSON-escaped spellings are still replaced alongside', () => {
    const text = `${SECRET} ${JSON.stringify(SECRET)} ${Buffer.from(SECRET).toString('base64')} ${encodeURIComponent(SECRET)}`;
    expect(redactSecrets(text, [SECRET])).toBe('[REDACTED] "[REDACTED]" [REDACTED] [REDACTED]');
  });

  test('secrets under 4 characters are only looked for as they are (their encodings would shred unrelated text)', () => {
    const short = 'ab?';
    const text = `${Buffer.from(short).toString('base64')} ${encodeURIComponent(short)} ${short}`;
    expect(redactSecrets(text, [short])).toBe(`${Buffer.from(short).toString('base64')} ${encodeURIComponent(short)} [REDACTED]`);
    const four = 'ab?c';
    expect(redactSecrets(`${Buffer.from(four).toString('base64')} ${encodeURIComponent(four)}`, [four])).toBe('[REDACTED] [REDACTED]');
  });

  test('redactingSender cleans an echo of the request body base64-encoded', async () => {
    const body = JSON.stringify({ token: TOKEN, v: 'acme/model:v3' });
    const inner: WebhookSender = { send: async (request) => ({ ok: true, status: 200, durationMs: 1, responseBody: JSON.stringify({ data: Buffer.from(request.body).toString('base64') }), retryAfter: null }) };
    const result = await redactingSender(inner).send({ url: 'https://ci.example.com/', headers: {}, body, secrets: [TOKEN] });
    expect(result.responseBody).toContain('[REDACTED]');
    const data = JSON.parse(result.responseBody).data as string;
    const decoded = data.split('[REDACTED]').map((part) => Buffer.from(part, 'base64').toString('latin1')).join('');
    expect(decoded).not.toContain(TOKEN.slice(1, -1));
  });

  test('redactingSender never makes an answer longer (a one-character secret repeated would grow it tenfold)', async () => {
    const inner: WebhookSender = {
      send: async () => ({
        ok: false,
        failure: { kind: 'request-failed', code: null, detail: 'x'.repeat(100) },
        status: 500,
        durationMs: 1,
        responseBody: 'x'.repeat(8192),
        retryAfter: null,
      }),
    };
    const result = await redactingSender(inner).send({ url: 'https://ci.example.com/', headers: {}, body: '{}', secrets: ['x'] });
    expect(result.responseBody.length).toBe(8192);
    expect(result.responseBody).not.toMatch(/[^[\]REDACT]/);
    expect(result.ok ? null : result.failure).toEqual({ kind: 'request-failed', code: null, detail: expect.stringMatching(/^[[\]REDACT]{100}$/) });
  });
});

test('text that cannot have been cut (an error message) keeps a secret-like tail', () => {
  expect(redactSecrets(`failed near ${TOKEN.slice(0, 9)}`, [TOKEN], false)).toBe(`failed near ${TOKEN.slice(0, 9)}`);
  expect(redactSecrets(`failed near ${TOKEN.slice(0, 9)}`, [TOKEN], true)).toBe('failed near [REDACTED]');
  expect(redactSecrets(`whole ${TOKEN} inside`, [TOKEN], false)).toBe('whole [REDACTED] inside');
});
