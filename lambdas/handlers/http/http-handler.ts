/**
 * Builds a middy handler for a set of operations: parse and authorize the request (one
 * place, from the route table), run the operation, answer JSON. Refusals become the api.md
 * error shape; unexpected ones are logged (no bodies, no secrets) and answered with a
 * generic 500 that carries no stack trace (the registry retries a 5xx).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { logger } from '../../adapters/observability';
import { HttpError, httpErrorOf } from './errors';
import type { Operation } from './operations';
import { parseApiRequest } from './request';
import { errorResponse, internalErrorResponse, jsonResponse } from './responses';

/** A Lambda handler serving `operations`, with dependencies made once per container. */
export function httpHandler<D>(operations: Readonly<Record<string, Operation<D>>>, deps: () => D) {
  const handle = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const started = performance.now();
    let operation = 'unknown';
    try {
      const request = parseApiRequest(event);
      operation = request.route.operation;
      const run = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
      if (!run) throw new HttpError('NOT_FOUND', `no route ${event.httpMethod} ${event.path}`);
      const result = await run(deps(), request);
      logger.info('request', { operation, team: request.team, status: result.status, ms: Math.round(performance.now() - started) });
      return jsonResponse(result.status, result.body);
    } catch (error) {
      const refusal = httpErrorOf(error);
      if (refusal) {
        logger.info('request refused', { operation, status: refusal.status, code: refusal.code, ms: Math.round(performance.now() - started) });
        return errorResponse(refusal);
      }
      logger.error('request failed', { operation, error: describeError(error) });
      return internalErrorResponse();
    }
  };
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>().use(injectLambdaContext(logger)).handler(handle);
}

/** Name and message only: enough to debug, and SDK errors never carry our secret values. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message.slice(0, 500) };
  return { name: 'NonError', message: String(error).slice(0, 500) };
}
