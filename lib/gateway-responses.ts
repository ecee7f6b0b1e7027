/**
 * Answers API Gateway gives itself (before or instead of a handler), rewritten into the api.md
 * error shape `{"error": {"code": "...", "message": "...", "details": []}}` so callers see one format only.
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';

/** One gateway response override. */
export interface GatewayErrorResponse {
  /** Construct id. */
  readonly id: string;
  readonly type: apigw.ResponseType;
  /** Status to answer with; absent keeps API Gateway's own (DEFAULT_4XX/5XX). */
  readonly statusCode?: string;
  /** The api.md error code. */
  readonly code: string;
  /** application/json mapping template. */
  readonly template: string;
  readonly headers?: Record<string, string>;
}

/** `message` as a JSON string literal, or API Gateway's own message (already JSON-quoted). */
function body(code: string, message: string | null): string {
  const messageJson = message === null ? '$context.error.messageString' : JSON.stringify(message);
  return `{"error":{"code":"${code}","message":${messageJson},"details":[],"requestId":"$context.requestId"}}`;
}

function response(
  id: string,
  type: apigw.ResponseType,
  statusCode: string | undefined,
  code: string,
  message: string | null,
  headers?: Record<string, string>,
): GatewayErrorResponse {
  return { id, type, statusCode, code, template: body(code, message), headers };
}

/** Every gateway response the API overrides. */
export const GATEWAY_RESPONSES: readonly GatewayErrorResponse[] = [
  // The authorizer denied (no, malformed or unknown key): api.md's 401.
  response('Unauthorized', apigw.ResponseType.UNAUTHORIZED, '401', 'UNAUTHENTICATED', 'Missing or unknown API key', {
    'WWW-Authenticate': "'Bearer'",
  }),
  // The authorizer's policy denied this route (wrong team or role).
  response('AccessDenied', apigw.ResponseType.ACCESS_DENIED, '403', 'FORBIDDEN', 'This key may not call this route'),
  // API Gateway answers an unknown path or method with 403 "Missing Authentication Token";
  // for callers it is simply a route that does not exist.
  response('MissingRoute', apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, '404', 'NOT_FOUND', 'No such route'),
  response('Throttled', apigw.ResponseType.THROTTLED, '429', 'THROTTLED', 'Too many requests, slow down and retry'),
  response('QuotaExceeded', apigw.ResponseType.QUOTA_EXCEEDED, '429', 'THROTTLED', 'Too many requests, slow down and retry'),
  response('RequestTooLarge', apigw.ResponseType.REQUEST_TOO_LARGE, '413', 'PAYLOAD_TOO_LARGE', 'Request body too large'),
  response('UnsupportedMediaType', apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE, '415', 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json'),
  response('IntegrationTimeout', apigw.ResponseType.INTEGRATION_TIMEOUT, '504', 'TIMEOUT', 'The request took too long; it is safe to retry'),
  // An authorizer crash must not read as "bad key": it is the service's fault.
  response('AuthorizerFailure', apigw.ResponseType.AUTHORIZER_FAILURE, '500', 'INTERNAL', 'Internal error'),
  response('AuthorizerConfigurationError', apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, '500', 'INTERNAL', 'Internal error'),
  response('Default4xx', apigw.ResponseType.DEFAULT_4XX, undefined, 'BAD_REQUEST', null),
  // Never pass API Gateway's internal message through on a 5xx.
  response('Default5xx', apigw.ResponseType.DEFAULT_5XX, undefined, 'INTERNAL', 'Internal error'),
];
