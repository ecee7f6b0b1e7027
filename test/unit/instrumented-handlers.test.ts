/**
 * The wrapper every Lambda handler goes through (lambdas/handlers/instrument.ts) and what the
 * http handler counts:
 * - each handler's log lines carry that handler's own Lambda context, even when several run
 *   interleaved in one process (local mode), including lines written by shared code (the
 *   local notifier);
 * - an unexpected error answered 500 is counted as `ApiInternalError`, a refusal is not;
 * - outside Lambda the tracer is off and changes nothing (no segment, clients untouched); in
 *   Lambda every AWS SDK client is captured where it is made (lambdas/adapters/aws/*.ts).
 */
import './support/warn-powertools';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LogNotifier } from '../../lambdas/adapters/notifier';
import { currentLogger, logger, metrics } from '../../lambdas/adapters/observability';
import { captureClient, traced, tracer } from '../../lambdas/adapters/tracing';
import { HttpError } from '../../lambdas/handlers/http/errors';
import { httpHandler } from '../../lambdas/handlers/http/http-handler';
import { ROUTES } from '../../lambdas/handlers/http/routes';
import { instrumentHandler } from '../../lambdas/handlers/instrument';
import { HEALTHY, type Webhook } from '../../lambdas/domain/types';

function context(functionName: string, awsRequestId: string): Context {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: `/test/${functionName}`,
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 5000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** JSON log lines written while `work` runs (WARN and ERROR go to stderr). */
async function captureLogLines(work: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const written: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return written.join('').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

const webhook: Webhook = {
  team: 'demo', id: 'wh_1', name: 'hook', url: 'https://example.com/hook', secret: null, accessToken: null, rateLimit: null, headers: {},
  createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', health: HEALTHY,
};

describe('instrumented handlers', () => {
  it('stamp each line with its own handler\'s context, interleaved in one process, shared code included', async () => {
    let releaseSweeper!: () => void;
    const sweeperMayLog = new Promise<void>((resolve) => { releaseSweeper = resolve; });
    const notifier = new LogNotifier();
    const sweeper = instrumentHandler<unknown, void>(async (_event, _context, log) => {
      // Another handler runs (and sets its context) before this one logs.
      await sweeperMayLog;
      log.warn('sweeper line');
      currentLogger().warn('sweeper via currentLogger');
    });
    const deliver = instrumentHandler<unknown, void>(async () => {
      await notifier.webhookDisabled(webhook, 'gone');
    });

    const lines = await captureLogLines(async () => {
      const sweeping = sweeper({}, context('sweeper', 'req-sweeper'));
      await deliver({}, context('deliver', 'req-deliver'));
      releaseSweeper();
      await sweeping;
      logger.warn('outside any handler');
    });

    const by = (message: string) => lines.find((line) => String(line.message).startsWith(message));
    for (const message of ['sweeper line', 'sweeper via currentLogger']) {
      expect(by(message)).toMatchObject({ level: 'WARN', function_name: 'sweeper', function_request_id: 'req-sweeper', cold_start: expect.any(Boolean) });
    }
    expect(by('webhook hook (wh_1) of team demo disabled')).toMatchObject({ function_name: 'deliver', function_request_id: 'req-deliver', event: 'webhook-disabled' });
    expect(by('outside any handler')).not.toHaveProperty('function_request_id');
  });

  it('count an unexpected error answered 500 as ApiInternalError, and a refusal not', async () => {
    const boom = async () => { throw new Error('disk on fire'); };
    const refuse = async () => { throw new HttpError('CONFLICT', 'no'); };
    const added = jest.spyOn(metrics, 'addMetric');
    const event = (path: string): APIGatewayProxyEvent => ({
      httpMethod: 'GET', path, resource: path, headers: {}, multiValueHeaders: {}, queryStringParameters: null, multiValueQueryStringParameters: null,
      pathParameters: null, stageVariables: null, body: null, isBase64Encoded: false, requestContext: { requestId: 'r1', authorizer: {} } as never,
    });
    try {
      // GET /health is public (no authorizer context needed); its operation is served by the given one.
      const health = ROUTES.find((r) => r.operation === 'health')!;
      const asBoom = httpHandler({ [health.operation]: boom }, () => ({}));
      const asRefusal = httpHandler({ [health.operation]: refuse }, () => ({}));
      let lines = await captureLogLines(async () => expect((await asBoom(event(health.path), context('api', 'req-1'))).statusCode).toBe(500));
      expect(added.mock.calls.filter(([name]) => name === 'ApiInternalError')).toHaveLength(1);
      expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', message: 'request failed', function_name: 'api' })]);
      added.mockClear();
      lines = await captureLogLines(async () => expect((await asRefusal(event(health.path), context('api', 'req-2'))).statusCode).toBe(409));
      expect(added.mock.calls.filter(([name]) => name === 'ApiInternalError')).toHaveLength(0);
      expect(lines).toEqual([]);
    } finally {
      added.mockRestore();
    }
  });
});

describe('tracing outside Lambda', () => {
  it('is off and changes nothing: clients keep their middleware, traced() just runs the work', async () => {
    // Outside Lambda the tracer is not even loaded (its async hooks would slow every await).
    expect(tracer).toBeUndefined();
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const before = client.middlewareStack.identify();
    expect(captureClient(client)).toBe(client);
    expect(client.middlewareStack.identify()).toEqual(before);
    await expect(traced('## work', { deliveryId: 'dlv_1' }, async () => 42)).resolves.toBe(42);
    await expect(traced('## work', {}, async () => { throw new Error('kept'); })).rejects.toThrow('kept');
  });
});

describe('tracing in Lambda', () => {
  it('captures every AWS SDK client where it is made (the X-Ray middleware is on each)', () => {
    const saved = process.env.AWS_EXECUTION_ENV;
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs24.x';
    try {
      jest.isolateModules(() => {
        // A fresh module registry: the tracer and the clients are made again, now "in Lambda".
        const { tracer: lambdaTracer } = require('../../lambdas/adapters/tracing') as typeof import('../../lambdas/adapters/tracing');
        expect(lambdaTracer?.isTracingEnabled()).toBe(true);
        const clients = {
          dynamodb: (require('../../lambdas/adapters/aws/dynamodb') as typeof import('../../lambdas/adapters/aws/dynamodb')).dynamoDb,
          sqs: (require('../../lambdas/adapters/aws/sqs') as typeof import('../../lambdas/adapters/aws/sqs')).sqs,
          sns: (require('../../lambdas/adapters/aws/sns') as typeof import('../../lambdas/adapters/aws/sns')).sns,
          secretsManager: (require('../../lambdas/adapters/aws/secrets-manager') as typeof import('../../lambdas/adapters/aws/secrets-manager')).secretsManager,
        };
        for (const [name, client] of Object.entries(clients)) {
          const captured = client.middlewareStack.identify().some((entry: string) => entry.startsWith('XRaySDKInstrumentation'));
          expect({ name, captured }).toEqual({ name, captured: true });
        }
      });
    } finally {
      if (saved === undefined) delete process.env.AWS_EXECUTION_ENV;
      else process.env.AWS_EXECUTION_ENV = saved;
    }
  });
});
