/**
 * The deliver Lambda's partial batch failure reporting (lambdas/handlers/deliver.ts), over
 * in-memory ports: a record that cannot be processed is reported by its messageId, and only
 * it, so SQS retries just that one (and sends it to the DLQ after the redrive count); when
 * every record fails, Powertools fails the whole batch by throwing FullBatchFailureError.
 */
import './support/quiet-powertools';
import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { createDeliverHandler } from '../../lambdas/handlers/deliver';
import { inMemoryDeps, seedDelivery, type InMemoryDeps } from './support/in-memory-deps';

function record(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:deliveries',
    awsRegion: 'us-east-1',
  };
}

function message(deps: InMemoryDeps, deliveryId: string, attempt = 1): string {
  return JSON.stringify({ team: 'demo', deliveryId, attempt, notBefore: deps.clock.ms });
}

/** Five deliveries and one good record for each, `m1`…`m5`. */
async function fiveRecords(deps: InMemoryDeps): Promise<SQSRecord[]> {
  const records: SQSRecord[] = [];
  for (let i = 1; i <= 5; i++) {
    await seedDelivery(deps, `dlv_${i}`);
    records.push(record(`m${i}`, message(deps, `dlv_${i}`)));
  }
  return records;
}

const event = (records: SQSRecord[]): SQSEvent => ({ Records: records });

describe('partial batch failures', () => {
  test('all five good: no failures reported, five POSTs, five deliveries succeeded', async () => {
    const deps = inMemoryDeps();
    const handler = createDeliverHandler(() => deps);
    const result = await handler(event(await fiveRecords(deps)));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(deps.sender.requests).toHaveLength(5);
    for (let i = 1; i <= 5; i++) expect(deps.deliveries.stored(`dlv_${i}`).status).toBe('succeeded');
  });

  test.each([
    ['an unparseable body', 'not json at all'],
    ['JSON that is not a delivery message', JSON.stringify({ team: 'demo', deliveryId: 'dlv_3', attempt: 'one' })],
  ])('one record of five with %s: exactly its messageId is reported, the other four are delivered', async (_what, body) => {
    const deps = inMemoryDeps();
    const handler = createDeliverHandler(() => deps);
    const records = await fiveRecords(deps);
    records[2] = record('m3', body);

    const result = await handler(event(records));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm3' }] });
    expect(deps.sender.requests.map((r) => r.headers['X-Wandb-Delivery']).sort()).toEqual(['dlv_1', 'dlv_2', 'dlv_4', 'dlv_5']);
    expect(deps.deliveries.stored('dlv_3').status).toBe('pending');
  });

  test('a store failure for one delivery: exactly that record is reported, and it is delivered when it comes back', async () => {
    const deps = inMemoryDeps();
    const handler = createDeliverHandler(() => deps);
    const records = await fiveRecords(deps);
    deps.deliveries.failGet.add('dlv_4');

    expect(await handler(event(records))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm4' }] });
    expect(deps.sender.requests).toHaveLength(4);

    // The store recovers; SQS hands the failed record back alone.
    deps.deliveries.failGet.clear();
    expect(await handler(event([records[3]]))).toEqual({ batchItemFailures: [] });
    expect(deps.deliveries.stored('dlv_4')).toMatchObject({ status: 'succeeded', attemptCount: 1 });
    expect(deps.sender.requests).toHaveLength(5);
  });

  test('a failure to record the attempt is reported, so the message comes back', async () => {
    const deps = inMemoryDeps();
    const handler = createDeliverHandler(() => deps);
    const records = await fiveRecords(deps);
    deps.deliveries.failSave.add('dlv_2');
    expect(await handler(event(records))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
  });

  test('stale, duplicate and early (hop) records are successes, not failures', async () => {
    const deps = inMemoryDeps();
    const handler = createDeliverHandler(() => deps);
    const records = await fiveRecords(deps);
    await handler(event(records.slice(0, 2)));
    const batch = [
      record('dup-1', message(deps, 'dlv_1')), // attempt 1 already made
      record('dup-2', message(deps, 'dlv_2')),
      record('gone', message(deps, 'dlv_missing')),
      record('early', JSON.stringify({ team: 'demo', deliveryId: 'dlv_3', attempt: 1, notBefore: deps.clock.ms + 60_000 })),
      records[4],
    ];
    expect(await handler(event(batch))).toEqual({ batchItemFailures: [] });
    expect(deps.sender.requests).toHaveLength(3);
    expect(deps.queue.sent).toEqual([{ team: 'demo', deliveryId: 'dlv_3', attempt: 1, notBefore: deps.clock.ms + 60_000 }]);
  });

  test('all five bad: the handler throws FullBatchFailureError (the whole batch comes back)', async () => {
    const deps = inMemoryDeps();
    const handler = createDeliverHandler(() => deps);
    const records = ['{', 'null', '[]', '"x"', JSON.stringify({ attempt: 1 })].map((body, i) => record(`bad${i}`, body));

    const failure = await handler(event(records)).then(() => undefined, (error: unknown) => error);

    expect(failure).toBeInstanceOf(FullBatchFailureError);
    expect((failure as FullBatchFailureError).recordErrors).toHaveLength(5);
    expect(deps.sender.requests).toHaveLength(0);
  });

  test('all five failing in the store: FullBatchFailureError too', async () => {
    const deps = inMemoryDeps();
    const handler = createDeliverHandler(() => deps);
    const records = await fiveRecords(deps);
    for (let i = 1; i <= 5; i++) deps.deliveries.failGet.add(`dlv_${i}`);
    await expect(handler(event(records))).rejects.toBeInstanceOf(FullBatchFailureError);
  });

  test('two batches handled at the same time by one handler each report their own failures', async () => {
    // Local mode runs several poll loops against one handler module, as Lambda's concurrency does
    // with separate containers: batch state must not leak from one invocation into another.
    const deps = inMemoryDeps();
    const handler = createDeliverHandler(() => deps);
    const first = await fiveRecords(deps);
    first[0] = record('m1', 'garbage');
    const second: SQSRecord[] = [];
    for (let i = 6; i <= 10; i++) {
      await seedDelivery(deps, `dlv_${i}`);
      second.push(record(`m${i}`, message(deps, `dlv_${i}`)));
    }
    deps.deliveries.failGet.add('dlv_9');
    deps.sender.hold();

    const a = handler(event(first));
    while (deps.sender.requests.length < 4) await new Promise((resolve) => setImmediate(resolve));
    const b = handler(event(second));
    while (deps.sender.requests.length < 8) await new Promise((resolve) => setImmediate(resolve));
    deps.sender.release();

    expect(await a).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(await b).toEqual({ batchItemFailures: [{ itemIdentifier: 'm9' }] });
  });
});
