/**
 * Builds a middy handler for a set of operations: parse and authorize the request (one
 * place, from the route table), run the operation, answer JSON. Refusals become the api.md
 * error shape; unexpected ones are logged (no bodies, no secrets) and answered with a
 * generic 500 that carries no stack trace (the registry retries a 5xx), and counted
 * (`ApiInternalError`, alarmed on): API Gateway's own 5XX count mixes these with its own
 * failures, this one is the service's code failing.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { API_INTERNAL_ERROR_METRIC } from '../../adapters/metric-names';
import { metrics } from '../../adapters/observability';
import { instrumentHandler } from '../instrument';
import { HttpError, httpErrorOf } from './errors';
import type { Operation } from './operations';
import { parseApiRequest } from './request';
import { errorResponse, internalErrorResponse, jsonResponse } from './responses';

/** A Lambda handler serving `operations`, with dependencies made once per container. */
export function httpHandler<D>(operations: Readonly<Record<string, Operation<D>>>, deps: () => D) {
  return instrumentHandler<APIGatewayProxyEvent, APIGatewayProxyResult>(async (event, _context, logger) => {
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
      metrics.addMetric(API_INTERNAL_ERROR_METRIC, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      return internalErrorResponse();
    }
  });
}

/** Name and message only: enough to debug, and SDK errors never carry our secret values. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message.slice(0, 500) };
  return { name: 'NonError', message: String(error).slice(0, 500) };
}
