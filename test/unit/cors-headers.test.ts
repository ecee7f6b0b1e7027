/**
 * The api and ingest answers carry `Access-Control-Allow-Origin` for the console's origin
 * alone (env `CONSOLE_ORIGIN`, set by the stack), and none when it is unset (local mode: the
 * console shares the API's origin).
 */
import { HttpError } from '../../lambdas/handlers/http/errors';
import { errorResponse, jsonResponse } from '../../lambdas/handlers/http/responses';

const saved = process.env.CONSOLE_ORIGIN;
afterEach(() => {
  if (saved === undefined) delete process.env.CONSOLE_ORIGIN;
  else process.env.CONSOLE_ORIGIN = saved;
});

test('with CONSOLE_ORIGIN: every answer (200, 204, errors) names that origin', () => {
  process.env.CONSOLE_ORIGIN = 'https://d111111abcdef8.cloudfront.net';
  for (const answer of [jsonResponse(200, { ok: true }), jsonResponse(204), errorResponse(new HttpError('FORBIDDEN', 'no'))]) {
    expect(answer.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'https://d111111abcdef8.cloudfront.net', Vary: 'Origin' });
  }
});

test('without it: no CORS header at all', () => {
  delete process.env.CONSOLE_ORIGIN;
  expect(Object.keys(jsonResponse(200, {}).headers ?? {})).toEqual(['Content-Type', 'Cache-Control']);
  expect(jsonResponse(204).headers).toEqual({ 'Cache-Control': 'no-store' });
});
