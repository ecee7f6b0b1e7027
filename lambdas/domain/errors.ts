/**
 * Errors the services and adapters throw when a request cannot be carried out as asked. They
 * say what is wrong in domain terms (invalid input, a missing resource, a conflict); what that
 * means in HTTP (status and error code) is decided by the HTTP layer alone
 * (`handlers/http/errors.ts`). Anything that is not a `DomainError` is an internal failure.
 */

/** What kind of refusal: the HTTP layer maps each to a status and an api.md error code. */
export type DomainErrorKind = 'invalid' | 'not-found' | 'conflict';

/** One problem with the request, e.g. a field that failed validation. */
export interface ErrorDetail {
  field?: string;
  message: string;
}

/** A refusal meant for the caller: its message is safe to show. */
export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Invalid input for one field; the message names the field first, as in `url: …`. */
export function validationError(field: string, problem: string): DomainError {
  return new DomainError('invalid', `${field}: ${problem}`, [{ field, message: problem }]);
}

/** A resource of the caller's team that does not exist. */
export function notFound(what: string): DomainError {
  return new DomainError('not-found', `${what} not found`);
}

/** A request that contradicts the stored state (a taken name, a resource still in use). */
export function conflict(message: string): DomainError {
  return new DomainError('conflict', message);
}
