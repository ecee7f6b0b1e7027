/**
 * Local stand-in for API Gateway: a node:http server on 127.0.0.1 that matches the route
 * table, runs the real authorizer handler for protected routes (401 when it refuses, as
 * API Gateway does), and calls the real api/ingest handlers with API Gateway proxy events.
 */
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayProxyResult, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchRoute, type RouteDefinition, type RouteHandler } from '../../lambdas/handlers/http/routes';
import { answerClientError } from './client-errors';

/** Handlers the gateway calls. */
export interface GatewayHandlers {
  authorizer: (event: APIGatewayTokenAuthorizerEvent, context: Context) => Promise<APIGatewayAuthorizerResult>;
  routes: Record<RouteHandler, (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>>;
  /** Static files outside the API (the web console at `/console/`); answers whether it served the request. */
  staticFiles?: (method: string, pathname: string, response: http.ServerResponse) => boolean;
}

/** Bodies beyond this are not kept (the handler's own limit, 256 KiB, answers 413 first). */
const READ_LIMIT_BYTES = 1024 * 1024;

/** A Lambda context for local invocations (Powertools reads its fields). */
export function localLambdaContext(functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/local/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  response.end(JSON.stringify(body));
}

function gatewayError(response: http.ServerResponse, status: number, code: string, message: string): void {
  sendJson(response, status, { error: { code, message, details: [] } });
}

/**
 * Past this, a body is drained instead of buffered: API Gateway's own hard limit (10 MB).
 * Bodies up to it are read to the end before the 413, so the answer goes out on a healthy
 * keep-alive connection; only beyond it is the connection closed under the sender.
 */
const DRAIN_LIMIT_BYTES = 10 * 1024 * 1024;

/**
 * Reads the body: the bytes, `too-large` once it passes READ_LIMIT_BYTES (the rest is read
 * and dropped), or `abort` when it goes on past DRAIN_LIMIT_BYTES. The request is never
 * destroyed here: that tears the socket down under the answer, and a keep-alive client that
 * reuses the connection then hangs.
 */
function readBody(request: http.IncomingMessage): Promise<Buffer | 'too-large' | 'abort'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (value: Buffer | 'too-large' | 'abort') => {
      settled = true;
      resolve(value);
    };
    request.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > DRAIN_LIMIT_BYTES) settle('abort');
      else if (size > READ_LIMIT_BYTES) chunks.length = 0;
      else chunks.push(chunk);
    });
    request.once('end', () => {
      if (!settled) settle(size > READ_LIMIT_BYTES ? 'too-large' : Buffer.concat(chunks));
    });
    request.once('error', (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
  });
}

async function authorize(handlers: GatewayHandlers, route: RouteDefinition, token: string | undefined, method: string, path: string) {
  if (route.roles.length === 0) return null;
  if (!token) return 'unauthorized' as const;
  try {
    const result = await handlers.authorizer({ type: 'TOKEN', authorizationToken: token, methodArn: `arn:aws:execute-api:us-east-1:000000000000:local/v1/${method}${path}` }, localLambdaContext('authorizer', 5_000));
    const allowed = result.policyDocument.Statement.some((statement) => statement.Effect === 'Allow');
    return allowed ? { principalId: result.principalId, ...(result.context ?? {}) } : ('forbidden' as const);
  } catch (error) {
    // As API Gateway does: the authorizer's `Unauthorized` is a 401; any other failure is the
    // service's own (a 500), and is logged, never hidden behind a 401.
    if (error instanceof Error && error.message === 'Unauthorized') return 'unauthorized' as const;
    process.stderr.write(`authorizer failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return 'failed' as const;
  }
}

function toProxyEvent(request: http.IncomingMessage, url: URL, route: RouteDefinition, pathParameters: Record<string, string>, body: Buffer, authorizer: Record<string, unknown> | null): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const textual = isUtf8(body);
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    stageVariables: null,
    // Bytes that are not UTF-8 go as they are (base64, as API Gateway passes binary), not as
    // U+FFFD replacements: the handler refuses them rather than take distinct ids as one.
    body: body.length ? body.toString(textual ? 'utf8' : 'base64') : null,
    isBase64Encoded: !textual,
    requestContext: {
      accountId: '000000000000', apiId: 'local', stage: 'v1', requestId: randomUUID(), resourceId: 'local', resourcePath: route.path,
      httpMethod: route.method, path: `/v1${url.pathname}`, protocol: 'HTTP/1.1', requestTimeEpoch: Date.now(),
      authorizer: authorizer ?? undefined,
      identity: { sourceIp: request.socket.remoteAddress ?? '127.0.0.1', userAgent: request.headers['user-agent'] ?? null } as APIGatewayProxyEvent['requestContext']['identity'],
    },
  };
}

/** Starts the local API on 127.0.0.1:`port`; resolves with the bound port. */
export async function startGateway(handlers: GatewayHandlers, port: number): Promise<{ port: number; server: http.Server }> {
  const server = http.createServer((request, response) => {
    handle(handlers, request, response).catch(() => {
      if (!response.headersSent) gatewayError(response, 500, 'INTERNAL', 'internal error');
      else response.destroy();
    });
  });
  // Keep-alive well above typical client pools' idle time, so benchmarks reuse connections.
  server.keepAliveTimeout = 65_000;
  // Requests Node's parser refuses (huge headers, CL+TE) get an error body too.
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { port: (server.address() as AddressInfo).port, server };
}

async function handle(handlers: GatewayHandlers, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const method = request.method ?? 'GET';
  if (handlers.staticFiles?.(method, url.pathname, response)) return;
  const matched = matchRoute(method, url.pathname);
  if (matched === undefined) return gatewayError(response, 404, 'NOT_FOUND', `no route ${method} ${url.pathname}`);
  if (matched === 'method-not-allowed') return gatewayError(response, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}`);
  const token = request.headers.authorization;
  const authorizer = await authorize(handlers, matched.route, token, method, url.pathname);
  if (authorizer === 'unauthorized') return gatewayError(response, 401, 'UNAUTHENTICATED', 'missing or unknown API key');
  if (authorizer === 'forbidden') return gatewayError(response, 403, 'FORBIDDEN', 'access denied');
  if (authorizer === 'failed') return gatewayError(response, 500, 'INTERNAL', 'internal error');
  const body = await readBody(request);
  if (body === 'too-large' || body === 'abort') {
    // The rest of an endless body is dropped until the server has closed the connection.
    if (body === 'abort') response.setHeader('Connection', 'close');
    return gatewayError(response, 413, 'PAYLOAD_TOO_LARGE', 'body is larger than 262144 bytes');
  }
  const event = toProxyEvent(request, url, matched.route, matched.pathParameters, body, authorizer);
  const result = await handlers.routes[matched.route.handler](event, localLambdaContext(matched.route.handler, 29_000));
  response.writeHead(result.statusCode, result.headers as http.OutgoingHttpHeaders);
  response.end(result.body);
}
