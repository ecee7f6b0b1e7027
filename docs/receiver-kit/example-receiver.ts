/**
 * A runnable example receiver for Registry Webhooks: checks every POST with the receiver kit
 * (verify.ts beside it), refuses what does not verify, and handles each delivery once.
 *
 *   WEBHOOK_SECRET='my-signing-secret' PORT=4000 npx tsx docs/receiver-kit/example-receiver.ts
 *
 * Settings (environment): WEBHOOK_SECRET (required: the secret's value), WEBHOOK_SECRET_PREVIOUS
 * (optional: an older value still accepted while you switch), PORT (default 4000; 0 picks a free
 * port), HOST (default 127.0.0.1). It prints `listening on <url>`, then one JSON line per request
 * (delivery id and outcome, never a secret or a body).
 *
 * Answers: 204 for a new, verified delivery; 200 for one already handled (a repeat: the sender
 * must stop retrying it, so still 2xx); 401 when it does not verify; 413 for a body over 1 MiB;
 * 405 for anything but POST.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyStandardWebhook } from './verify';

const MAX_BODY_BYTES = 1024 * 1024;
/** A delivery id is remembered past the 5-minute tolerance: after that a repeat is refused anyway. */
const REMEMBER_MS = 10 * 60 * 1000;

const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  process.stderr.write('WEBHOOK_SECRET is required (the value of the webhook\'s signing secret)\n');
  process.exit(2);
}
const secrets = [secret, ...(process.env.WEBHOOK_SECRET_PREVIOUS ? [process.env.WEBHOOK_SECRET_PREVIOUS] : [])];

/** Delivery ids handled, with when they may be forgotten. */
const seen = new Map<string, number>();

function log(entry: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...entry })}\n`);
}

/** The raw body, or null when it is larger than allowed. */
async function readBody(request: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** What the receiver does with a verified delivery: here, print what it was about. */
function handle(id: string, body: Buffer): void {
  const payload = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  log({ id, outcome: 'handled', fields: Object.keys(payload) });
}

const server = createServer(async (request, response) => {
  if (request.method !== 'POST') return void response.writeHead(405, { Allow: 'POST' }).end();
  const body = await readBody(request);
  if (body === null) return void response.writeHead(413).end();
  const result = verifyStandardWebhook(secrets, body, request.headers);
  if (!result.ok) {
    log({ id: request.headers['webhook-id'] ?? null, outcome: 'refused', reason: result.reason });
    return void response.writeHead(401, { 'Content-Type': 'text/plain' }).end(result.reason);
  }
  const now = Date.now();
  for (const [id, until] of seen) if (until < now) seen.delete(id);
  if (seen.has(result.id)) {
    log({ id: result.id, outcome: 'duplicate' });
    return void response.writeHead(200, { 'Content-Type': 'text/plain' }).end('already handled');
  }
  seen.set(result.id, now + REMEMBER_MS);
  try {
    handle(result.id, body);
  } catch (error) {
    // Not handled: forget it, so the sender's retry gets another chance.
    seen.delete(result.id);
    log({ id: result.id, outcome: 'failed', reason: error instanceof Error ? error.message : String(error) });
    return void response.writeHead(500).end();
  }
  response.writeHead(204).end();
});

server.listen(Number(process.env.PORT ?? 4000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo;
  process.stdout.write(`listening on http://${address}:${port}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
