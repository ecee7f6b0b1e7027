/**
 * The one wrapper every Lambda handler goes through: its own logger with the invocation's
 * Lambda context (request id, cold start, function name), an X-Ray segment for the
 * invocation, and that logger as the current one for everything the invocation calls.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { handlerLogger, withLogger } from '../adapters/observability';
import { tracer } from '../adapters/tracing';

/** A handler body: the event, the Lambda context, and the handler's own logger. */
export type HandlerBody<E, R> = (event: E, context: Context, log: Logger) => Promise<R>;

/**
 * Wraps `body` as a Lambda handler. Responses are not recorded in traces (they can hold
 * deliveries' payload copies and key material in answers); errors are, by name and message.
 */
export function instrumentHandler<E, R>(body: HandlerBody<E, R>) {
  const log = handlerLogger();
  const handler = middy<E, R>();
  if (tracer) {
    // Loaded only where the tracer is (see tracing.ts). Traced first, so the logger
    // middleware's time is inside the invocation's segment.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { captureLambdaHandler } = require('@aws-lambda-powertools/tracer/middleware') as typeof import('@aws-lambda-powertools/tracer/middleware');
    handler.use(captureLambdaHandler(tracer, { captureResponse: false }));
  }
  return handler
    .use(injectLambdaContext(log, { resetKeys: true }))
    .handler((event: E, context: Context) => withLogger(log, () => body(event, context, log)));
}
