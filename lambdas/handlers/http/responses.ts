/** API Gateway proxy responses in the api.md shapes. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { HttpError } from './errors';

/**
 * The web console's origin (env `CONSOLE_ORIGIN`, set by the stack), the only one a browser
 * may read answers from; unset (local mode: the console shares the API's origin) → no CORS header.
 */
function corsHeaders(): Record<string, string> {
  const origin = process.env.CONSOLE_ORIGIN;
  return origin ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : {};
}

/** A JSON answer; 204 gets no body. */
export function jsonResponse(statusCode: number, body?: unknown): APIGatewayProxyResult {
  if (statusCode === 204 || body === undefined) return { statusCode, headers: { 'Cache-Control': 'no-store', ...corsHeaders() }, body: '' };
  return { statusCode, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...corsHeaders() }, body: JSON.stringify(body) };
}

/** The `{"error": {...}}` answer. */
export function errorResponse(error: HttpError): APIGatewayProxyResult {
  // `details` is always there (empty when there is nothing more to say): one shape for every error.
  return jsonResponse(error.status, { error: { code: error.code, message: error.message, details: error.details } });
}

/** The answer to anything unexpected: generic on purpose, so nothing internal leaks. */
export function internalErrorResponse(): APIGatewayProxyResult {
  return errorResponse(new HttpError('INTERNAL', 'internal error; the request may be retried'));
}
