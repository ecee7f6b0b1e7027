/**
 * The errors a client of the Secrets Manager emulator sees. Every module that rejects a
 * request throws an {@link ApiError}; the HTTP layer turns it into the service's error
 * response, so the SDK raises the same exception class the real service would cause.
 */

/** An error the client sees as the named AWS exception. */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** `InvalidParameterException`: a request field is missing, mistyped or out of range. */
export const invalidParam = (message: string) => new ApiError('InvalidParameterException', message);

/** `InvalidRequestException`: the request is well formed but not allowed in this state. */
export const invalidRequest = (message: string) => new ApiError('InvalidRequestException', message);

/** `ResourceNotFoundException`, by default with the service's "can't find" message. */
export const notFound = (message = "Secrets Manager can't find the specified secret.") =>
  new ApiError('ResourceNotFoundException', message);

/** The service's message for touching a secret that is scheduled for deletion. */
export const MARKED_DELETED =
  "You can't perform this operation on the secret because it was marked for deletion.";
