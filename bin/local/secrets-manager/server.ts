/**
 * A small AWS Secrets Manager-compatible HTTP server for local mode, so the production
 * secrets adapter and the real `@aws-sdk/client-secrets-manager` client run unchanged with
 * no AWS account (there is no Secrets Manager emulator on npm). This file is its entry
 * point and HTTP layer; the state is in `store.ts`, the actions in `*-actions.ts`.
 *
 * It speaks the AWS JSON 1.1 protocol the v3 client sends (`POST /`,
 * `X-Amz-Target: secretsmanager.<Action>`) and answers errors the way the real service does
 * (`x-amzn-ErrorType` header plus `__type` body), so the SDK raises the same exception
 * classes. State lives in one JSON file, rewritten atomically after every change.
 *
 * Security: this is a loopback-only development tool. It accepts any SigV4 `Authorization`
 * header without verifying the signature, refuses to bind to anything but a loopback
 * address, stores secret values in plain text (file mode 0600), and logs nothing.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACTIONS } from './actions';
import { ApiError } from './errors';
import type { Body } from './params';
import { SecretStore } from './store';

/** A running emulator. */
export interface SecretsManagerEmulator {
  /** Base URL to pass as the SDK client's `endpoint`, e.g. `http://127.0.0.1:4510`. */
  endpoint: string;
  port: number;
  /** Stops accepting requests and waits until every pending write has reached the file. */
  close(): Promise<void>;
}

/** Options of {@link startSecretsManagerEmulator}. */
export interface SecretsManagerEmulatorOptions {
  /** JSON file holding all secrets; created on the first change, loaded at start. */
  dataFile: string;
  /** TCP port; 0 (default) picks any free one. */
  port?: number;
  /** Loopback address to bind to; default `127.0.0.1`. */
  host?: string;
  /** Region used in ARNs; default `us-east-1`. */
  region?: string;
  /** Account id used in ARNs; default `000000000000`. */
  accountId?: string;
}

/**
 * Starts the emulator. It supports the actions in {@link ACTIONS} (those local mode and the
 * README's console recipe use); any other answers a 400 `UnknownOperationException`.
 */
export async function startSecretsManagerEmulator(
  options: SecretsManagerEmulatorOptions,
): Promise<SecretsManagerEmulator> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) {
    throw new Error(`Secrets Manager emulator binds to loopback only; refusing host ${host}`);
  }
  const store = await SecretStore.load(
    options.dataFile,
    options.region ?? 'us-east-1',
    options.accountId ?? '000000000000',
  );
  const server = createServer((req, res) => void serve(req, res, store));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // In-flight requests get a moment to finish; a stuck client must not block shutdown.
        const timer = setTimeout(() => server.closeAllConnections(), 1000);
        await closed;
        clearTimeout(timer);
        await store.flush();
      })();
      return closing;
    },
  };
}

const MAX_BODY_BYTES = 1024 * 1024;
const CONTENT_TYPE = 'application/x-amz-json-1.1';

async function serve(req: IncomingMessage, res: ServerResponse, store: SecretStore) {
  const requestId = randomUUID();
  try {
    if (req.method !== 'POST' || !/^\/?(\?.*)?$/.test(req.url ?? '/')) {
      throw new ApiError('UnknownOperationException', 'Only POST / is supported.');
    }
    // Like the real service, demand a signature, but (dev tool) never verify it.
    if (!/^AWS4-HMAC-SHA256 /.test(req.headers.authorization ?? '')) {
      const message = 'Missing Authentication Token';
      throw new ApiError('MissingAuthenticationTokenException', message, 403);
    }
    const target = /^secretsmanager\.([A-Za-z]+)$/.exec(String(req.headers['x-amz-target'] ?? ''));
    const action = target?.[1];
    if (!action) {
      throw new ApiError('UnknownOperationException', 'X-Amz-Target must be secretsmanager.<Action>.');
    }
    const handler = ACTIONS.get(action);
    // Naming what is supported tells someone trying a real AWS command locally why it failed.
    if (!handler) throw new ApiError('UnknownOperationException', unsupported(action));
    const body = parseBody(await readBody(req));
    reply(res, 200, requestId, await store.run((now) => handler(store, body, now)));
  } catch (error) {
    // Unexpected errors may carry file paths or state; the client only learns "internal".
    const apiError =
      error instanceof ApiError
        ? error
        : new ApiError('InternalServiceError', 'An error occurred on the server side.', 500);
    if (apiError.type === 'RequestTooLarge') res.setHeader('connection', 'close');
    res.setHeader('x-amzn-errortype', apiError.type);
    reply(res, apiError.status, requestId, { __type: apiError.type, message: apiError.message });
  }
}

function unsupported(action: string): string {
  const supported = [...ACTIONS.keys()].join(', ');
  return `The local Secrets Manager emulator does not support ${action}; it supports ${supported}.`;
}

function reply(res: ServerResponse, status: number, requestId: string, payload: unknown) {
  const text = JSON.stringify(payload ?? {});
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  });
  res.end(text);
}

/** Reads the body, refusing more than 1 MiB without holding the excess in memory. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  const tooLarge = () =>
    new ApiError('RequestTooLarge', `Request body exceeds ${MAX_BODY_BYTES} bytes.`);
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      size > MAX_BODY_BYTES ? reject(tooLarge()) : resolve(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

function parseBody(raw: Buffer): Body {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ApiError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError('SerializationException', 'The request body must be a JSON object.');
  }
  return parsed as Body;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
