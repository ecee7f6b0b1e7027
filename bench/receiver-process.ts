/**
 * The loopback receiver every figure POSTs to, in a process of its own so that its work is not
 * counted against the sender being measured. It answers every POST at once with 200 "ok",
 * counts what it got, and — when the body carries `"sentAt":"<epoch ms>"` (the end-to-end
 * figure's template puts it there) — the event-to-receiver latency. Driven over IPC
 * (see receiver.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveRequests } from './child';
import { wallMs } from './stats';

const SENT_AT = /"sentAt":"(\d+(?:\.\d+)?)"/;

let count = 0;
let first = 0;
let last = 0;
let latencies: number[] = [];
const signatures = { signed: 0, authorized: 0 };

const server = http.createServer((request, response) => {
  if (request.method !== 'POST') {
    response.writeHead(405).end();
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const now = wallMs();
    count++;
    if (first === 0) first = now;
    last = now;
    if (request.headers['x-wandb-signature']) signatures.signed++;
    if (request.headers.authorization) signatures.authorized++;
    const sentAt = SENT_AT.exec(Buffer.concat(chunks).toString('utf8'));
    if (sentAt) latencies.push(now - Number(sentAt[1]));
    response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '2' });
    response.end('ok');
  });
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send!({ type: 'ready', port });
});

serveRequests({
  reset() {
    count = 0;
    first = 0;
    last = 0;
    latencies = [];
    signatures.signed = 0;
    signatures.authorized = 0;
    return null;
  },
  stats(body: { withLatencies?: boolean }) {
    return { count, first, last, signed: signatures.signed, authorized: signatures.authorized, latencies: body.withLatencies ? latencies : [] };
  },
});

process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
