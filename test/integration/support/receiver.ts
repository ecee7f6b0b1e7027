/**
 * A real HTTP receiver on 127.0.0.1 that records every request (headers and exact body
 * bytes) and answers from a script: a status per request, optional headers, or never.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** How to answer one request. `hang` never answers. */
export type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

/** A running receiver. */
export interface Receiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Answers to use in order; when spent, `fallback` is used. */
  script: Answer[];
  fallback: Answer;
  /** The most requests that were open (arrived, not yet answered or dropped) at one time. */
  maxOpen(): number;
  close(): Promise<void>;
}

/** Starts a receiver; by default every request gets 200 "ok". */
export async function startReceiver(fallback: Answer = { status: 200, body: 'ok' }): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const receiver = { requests, script: [] as Answer[], fallback } as Receiver;
  let open = 0;
  let maxOpen = 0;
  receiver.maxOpen = () => maxOpen;
  const server = http.createServer((request, response) => {
    // When the request arrived (its headers), not when its body was read: what a receiver counts as an attempt's start.
    const at = Date.now();
    open += 1;
    maxOpen = Math.max(maxOpen, open);
    // 'close' comes once the answer is sent or the sender gave up (a timeout drops the connection).
    response.once('close', () => (open -= 1));
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at });
      const answer = receiver.script.shift() ?? receiver.fallback;
      if (answer === 'hang') return;
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  receiver.port = port;
  receiver.url = `http://127.0.0.1:${port}`;
  receiver.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return receiver;
}
