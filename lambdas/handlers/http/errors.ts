/**
 * What errors mean in HTTP: the api.md error codes and their statuses. Request-level refusals
 * (no key, wrong team, a body that is not JSON, …) are `HttpError`s thrown here in the HTTP
 * layer; the services' `DomainError`s get their status and code from `httpErrorOf`.
 */
import { DomainError, type DomainErrorKind, type ErrorDetail } from '../../domain/errors';

/** Stable error codes (upper snake case) and their HTTP status. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
} as const;

/** An api.md error code. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** An error answer: its message is safe to show. */
export class HttpError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = ERROR_STATUS[code];
  }
}

const CODE_OF_KIND: Record<DomainErrorKind, ErrorCode> = {
  invalid: 'VALIDATION_FAILED',
  'not-found': 'NOT_FOUND',
  conflict: 'CONFLICT',
};

/** The HTTP answer for a refusal, or undefined for an unexpected error (a 500). */
export function httpErrorOf(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof DomainError) return new HttpError(CODE_OF_KIND[error.kind], error.message, error.details);
  return undefined;
}
