/**
 * Errors the API answers with. Services throw `ApiError`; the HTTP layer turns it into the
 * `{"error": {"code", "message", "details"}}` shape of api.md. Anything else becomes a 500
 * with a generic message, so a stack trace or secret can never leak.
 */

/** Stable error codes (upper snake case) and their HTTP status. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  THROTTLED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One problem with the request, e.g. a field that failed validation. */
export interface ErrorDetail {
  field?: string;
  message: string;
}

/** An error meant for the caller: its message is safe to show. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }
}

/** 400 for one invalid field; the message names the field first, as in `url: …`. */
export function validationError(field: string, problem: string): ApiError {
  return new ApiError('VALIDATION_FAILED', `${field}: ${problem}`, [{ field, message: problem }]);
}

/** 404 for a missing resource of the caller's team. */
export function notFound(what: string): ApiError {
  return new ApiError('NOT_FOUND', `${what} not found`);
}
