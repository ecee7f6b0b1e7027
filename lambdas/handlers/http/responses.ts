/** API Gateway proxy responses in the api.md shapes. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { HttpError } from './errors';

const HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };

/** A JSON answer; 204 gets no body. */
export function jsonResponse(statusCode: number, body?: unknown): APIGatewayProxyResult {
  if (statusCode === 204 || body === undefined) return { statusCode, headers: { 'Cache-Control': 'no-store' }, body: '' };
  return { statusCode, headers: HEADERS, body: JSON.stringify(body) };
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
