/**
 * Poison messages in local mode are logged: a body the deliver handler cannot parse (at each
 * receive), and any message that fails its last receive before the redrive count moves it to
 * the dead-letter queue — with its ids and counts, never its body. Runs local mode's real SQS
 * poller, real deliver handler and real fauxqs queues (support/poller-process.ts) with a short
 * visibility timeout and a redrive count of 2.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { removeDataDir, tempDataDir } from './support/local-mode';
import { waitFor } from './support/http';
import type { PollerReady } from './support/poller-process';

const ROOT = path.resolve(__dirname, '../..');
let child: ChildProcess;
let ready: PollerReady;
let output = '';
let sqs: SQSClient;
const dataDir = tempDataDir();

beforeAll(async () => {
  child = fork(path.join(__dirname, 'support', 'poller-process.ts'), [dataDir], { execArgv: ['--import', 'tsx'], cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  // Powertools writes ERROR lines to stderr, the rest to stdout: both are the log.
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  ready = await new Promise<PollerReady>((resolve, reject) => {
    child.once('message', (message: PollerReady) => resolve(message));
    child.once('exit', (code) => reject(new Error(`poller process exited (${code}): ${output}`)));
  });
  sqs = new SQSClient({ region: 'us-east-1', endpoint: ready.sqsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  sqs?.destroy();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  removeDataDir(dataDir);
});

/** The JSON log lines printed so far with this message. */
function logLines(message: string): Array<Record<string, any>> {
  return output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)).filter((line) => line.message === message);
}

async function deadLetters(count: number): Promise<string[]> {
  const bodies: string[] = [];
  await waitFor(async () => {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: ready.deadLetterQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 600 }));
    bodies.push(...(Messages ?? []).map((message) => message.Body ?? ''));
    return bodies.length >= count ? true : undefined;
  }, { what: `${count} messages in the dead-letter queue`, timeoutMs: 30_000 });
  return bodies;
}

test('an unparseable body is logged at each receive, and again when it goes to the dead-letter queue (ids only, no body)', async () => {
  const secretish = 'not-json whsec_THIS_MUST_NOT_BE_LOGGED';
  const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: ready.queueUrl, MessageBody: secretish }));
  const wellFormedButFailing = JSON.stringify({ team: 'team-p', deliveryId: 'dlv-poison-1', attempt: 3, notBefore: 0 });
  const { MessageId: failingId } = await sqs.send(new SendMessageCommand({ QueueUrl: ready.queueUrl, MessageBody: wellFormedButFailing }));

  // Both end in the DLQ, unchanged.
  expect((await deadLetters(2)).sort()).toEqual([secretish, wellFormedButFailing].sort());
  await waitFor(() => (logLines('poison message: goes to the dead-letter queue').length >= 2 ? true : undefined), { what: 'the DLQ log lines' })
    .catch((error: Error) => Promise.reject(new Error(`${error.message}; the process printed:\n${output}`)));

  const unparseable = logLines('poison message: the deliver handler cannot parse it').filter((line) => line.messageId === MessageId);
  // One line per receive: 1 and 2 (the redrive count).
  expect(unparseable.map((line) => line.receiveCount)).toEqual([1, 2]);
  expect(unparseable[0]).toMatchObject({ level: 'ERROR', reason: 'not JSON', bodyBytes: Buffer.byteLength(secretish), maxReceiveCount: ready.maxReceiveCount });

  const toDlq = logLines('poison message: goes to the dead-letter queue');
  expect(toDlq.find((line) => line.messageId === MessageId)).toMatchObject({ level: 'ERROR', receiveCount: 2, reason: 'not JSON' });
  // A well-formed message failing in the handler names the delivery it is for.
  expect(toDlq.find((line) => line.messageId === failingId)).toMatchObject({
    level: 'ERROR', receiveCount: 2, delivery: { team: 'team-p', deliveryId: 'dlv-poison-1', attempt: 3 },
    // The storage failure itself, from inside Powertools' batch error.
    reason: expect.stringMatching(/^the handler threw: ResourceNotFoundException/),
  });
  // It was not called unparseable, and the first (not last) failing receive was not called a dead letter.
  expect(logLines('poison message: the deliver handler cannot parse it').some((line) => line.messageId === failingId)).toBe(false);
  expect(toDlq.filter((line) => line.messageId === failingId)).toHaveLength(1);
  expect(output).not.toContain('whsec_THIS_MUST_NOT_BE_LOGGED');
});
