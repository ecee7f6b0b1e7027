/**
 * bin/local/dynalite-atomic.ts: with the patch, an item and its `due` index entries are written
 * in one LevelDB batch, so a process that dies after its first write leaves them agreeing. The
 * death is simulated deterministically: after one more write reaches LevelDB, every further
 * write fails (what a `kill -9` at that moment leaves on disk). The same scenario on dynalite's
 * own write path is the control: it does leave them disagreeing. And the start-time repair
 * removes what such a death left in a data directory written before the patch.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTableInput } from '../../bin/local/engines';
import { makeDynaliteWritesAtomic, repairIndexes } from '../../bin/local/dynalite-atomic';
import { DELIVERIES_TABLE } from '../../lib/table-definitions';

type Callback = (error?: unknown) => void;
interface MainDb {
  put(key: string, value: unknown, cb: Callback): void;
  del(key: string, cb: Callback): void;
  batch(operations: unknown[], cb: Callback): void;
}

const dynaliteDb = require('dynalite/db') as { updateIndexes: (store: { db: MainDb }, ...rest: unknown[]) => void };
const dynaliteOwnUpdateIndexes = dynaliteDb.updateIndexes;
makeDynaliteWritesAtomic();
const atomicUpdateIndexes = dynaliteDb.updateIndexes;

let server: Server;
let db: DynamoDBDocumentClient;
let mainDb: MainDb | undefined;
let tables = 0;

beforeAll(async () => {
  useDynaliteOwnWrites(false);
  const dynalite = (await import('dynalite')).default;
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const client = new DynamoDBClient({
    region: 'us-east-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1,
  });
  db = DynamoDBDocumentClient.from(client);
});

afterAll(async () => {
  db.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/**
 * Which index update dynalite's actions call (they call it through the module object). Either
 * way it also learns dynalite's LevelDB (the store comes with every call), to fail it on cue.
 */
function useDynaliteOwnWrites(own: boolean): void {
  const impl = own ? dynaliteOwnUpdateIndexes : atomicUpdateIndexes;
  dynaliteDb.updateIndexes = (store: { db: MainDb }, ...rest: unknown[]) => {
    mainDb = store.db;
    return impl(store, ...rest);
  };
}

async function freshTable(): Promise<string> {
  const name = `deliveries-${++tables}`;
  await db.send(new CreateTableCommand(createTableInput(name, DELIVERIES_TABLE)));
  return name;
}

async function dueEntries(table: string): Promise<Array<Record<string, unknown>>> {
  const found: Array<Record<string, unknown>> = [];
  for (const shard of ['DUE#0', 'DUE#1']) {
    const { Items } = await db.send(new QueryCommand({ TableName: table, IndexName: 'due', KeyConditionExpression: 'dueShard = :s', ExpressionAttributeValues: { ':s': shard } }));
    found.push(...(Items ?? []));
  }
  return found;
}

/** Lets `writes` more LevelDB writes through, then fails every one (a process killed right there); returns the undo. */
function dieAfter(writes: number): () => void {
  const target = mainDb!;
  const saved = { put: target.put, del: target.del, batch: target.batch };
  let left = writes;
  const gate = <A extends unknown[]>(original: (...args: [...A, Callback]) => void) => (...args: [...A, Callback]) => {
    if (left-- > 0) return original.apply(target, args);
    const cb = args[args.length - 1] as Callback;
    // With a status, dynalite answers 500 (a bare storage error it throws, taking the test down).
    const killed = Object.assign(new Error('killed'), { statusCode: 500, body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalFailure', message: 'killed' } });
    setImmediate(() => cb(killed));
  };
  target.put = gate(saved.put);
  target.del = gate(saved.del);
  target.batch = gate(saved.batch);
  return () => Object.assign(target, saved);
}

const item = { team: 't', id: 'd1', status: 'retrying', attemptCount: 1, dueShard: 'DUE#0', dueAt: '2026-01-01T00:00:05.000Z' };

/** Moves the delivery's retry from DUE#0 to DUE#1 (another key of the index: one entry deleted, one put) and ends it. */
const move = (table: string) => new UpdateCommand({
  TableName: table, Key: { team: 't', id: 'd1' },
  UpdateExpression: 'SET attemptCount = :two, dueShard = :shard, dueAt = :due',
  ExpressionAttributeValues: { ':two': 2, ':shard': 'DUE#1', ':due': '2026-01-01T00:00:09.000Z' },
});

describe('patched: index entries and item in one batch', () => {
  beforeAll(() => useDynaliteOwnWrites(false));

  test('writes land where dynalite reads them: put, update, delete', async () => {
    const table = await freshTable();
    await db.send(new PutCommand({ TableName: table, Item: item }));
    expect((await db.send(new GetCommand({ TableName: table, Key: { team: 't', id: 'd1' } }))).Item).toEqual(item);
    expect(await dueEntries(table)).toEqual([{ team: 't', id: 'd1', dueShard: 'DUE#0', dueAt: item.dueAt, attemptCount: 1 }]);
    await db.send(move(table));
    expect(await dueEntries(table)).toEqual([{ team: 't', id: 'd1', dueShard: 'DUE#1', dueAt: '2026-01-01T00:00:09.000Z', attemptCount: 2 }]);
    // The sparse index: removing the key attributes removes the entry.
    await db.send(new UpdateCommand({ TableName: table, Key: { team: 't', id: 'd1' }, UpdateExpression: 'SET #s = :done REMOVE dueShard, dueAt', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':done': 'succeeded' } }));
    expect(await dueEntries(table)).toEqual([]);
    await db.send(new PutCommand({ TableName: table, Item: item }));
    await db.send(new DeleteCommand({ TableName: table, Key: { team: 't', id: 'd1' } }));
    expect((await db.send(new GetCommand({ TableName: table, Key: { team: 't', id: 'd1' } }))).Item).toBeUndefined();
    expect(await dueEntries(table)).toEqual([]);
  });

  test('a death right after the first write leaves the item and its entry agreeing (the new state, whole)', async () => {
    const table = await freshTable();
    await db.send(new PutCommand({ TableName: table, Item: item }));
    const revive = dieAfter(1);
    // The caller sees the request fail (the process died before answering)...
    await expect(db.send(move(table))).rejects.toThrow();
    revive();
    // ...but what is on disk is one consistent state.
    const stored = (await db.send(new GetCommand({ TableName: table, Key: { team: 't', id: 'd1' }, ConsistentRead: true }))).Item!;
    expect(stored).toMatchObject({ attemptCount: 2, dueShard: 'DUE#1' });
    expect(await dueEntries(table)).toEqual([{ team: 't', id: 'd1', dueShard: 'DUE#1', dueAt: stored.dueAt, attemptCount: 2 }]);
  });

  test('a death before any write leaves the old state whole', async () => {
    const table = await freshTable();
    await db.send(new PutCommand({ TableName: table, Item: item }));
    const revive = dieAfter(0);
    await expect(db.send(move(table))).rejects.toThrow();
    revive();
    expect((await db.send(new GetCommand({ TableName: table, Key: { team: 't', id: 'd1' } }))).Item).toEqual(item);
    expect(await dueEntries(table)).toEqual([expect.objectContaining({ dueShard: 'DUE#0', attemptCount: 1 })]);
  });
});

describe('control: dynalite 4 unpatched', () => {
  beforeAll(() => useDynaliteOwnWrites(true));
  afterAll(() => useDynaliteOwnWrites(false));

  test('the same death leaves a retrying item without its due entry (the issue the patch fixes)', async () => {
    const table = await freshTable();
    await db.send(new PutCommand({ TableName: table, Item: item }));
    const revive = dieAfter(1);
    await expect(db.send(move(table))).rejects.toThrow();
    revive();
    // The old entry was deleted, the new one and the item never written.
    expect((await db.send(new GetCommand({ TableName: table, Key: { team: 't', id: 'd1' } }))).Item).toEqual(item);
    expect(await dueEntries(table)).toEqual([]);
  });
});

describe('repairIndexes (a data directory written before the patch)', () => {
  afterAll(() => useDynaliteOwnWrites(false));

  test('removes entries that disagree with their item, writes the missing ones, keeps the rest', async () => {
    // The control above left a table disagreeing: repaired first, so what follows counts this test's own.
    await repairIndexes();
    const table = await freshTable();
    await db.send(new PutCommand({ TableName: table, Item: { ...item, id: 'healthy' } }));
    await db.send(new PutCommand({ TableName: table, Item: { team: 't', id: 'd1', status: 'pending', attemptCount: 0 } }));
    await db.send(new PutCommand({ TableName: table, Item: { ...item, id: 'moved' } }));
    useDynaliteOwnWrites(true);
    // d1, pending (no entry), made retrying: died after its new entry was written, before the item.
    let revive = dieAfter(1);
    await expect(db.send(new UpdateCommand({
      TableName: table, Key: { team: 't', id: 'd1' }, UpdateExpression: 'SET dueShard = :s, dueAt = :d, attemptCount = :one',
      ExpressionAttributeValues: { ':s': 'DUE#0', ':d': '2026-01-01T00:00:01.000Z', ':one': 1 },
    }))).rejects.toThrow();
    revive();
    // Moved from DUE#0 to DUE#1: died after the old entry went and the new one was written, before the item.
    revive = dieAfter(2);
    await expect(db.send(new UpdateCommand({
      TableName: table, Key: { team: 't', id: 'moved' }, UpdateExpression: 'SET attemptCount = :two, dueShard = :shard, dueAt = :due',
      ExpressionAttributeValues: { ':two': 2, ':shard': 'DUE#1', ':due': '2026-01-01T00:00:09.000Z' },
    }))).rejects.toThrow();
    revive();
    useDynaliteOwnWrites(false);

    const describe = (entries: Array<Record<string, unknown>>) => entries.map((entry) => `${entry.id}@${entry.dueShard}`).sort();
    // Before: d1's entry with no due attributes on its item, moved's entry for a state its item never reached, moved's own entry gone.
    expect(describe(await dueEntries(table))).toEqual(['d1@DUE#0', 'healthy@DUE#0', 'moved@DUE#1']);
    expect((await db.send(new GetCommand({ TableName: table, Key: { team: 't', id: 'moved' } }))).Item).toMatchObject({ dueShard: 'DUE#0', attemptCount: 1 });

    expect(await repairIndexes()).toEqual({ removed: 2, restored: 1 });
    expect(describe(await dueEntries(table))).toEqual(['healthy@DUE#0', 'moved@DUE#0']);
    expect((await dueEntries(table)).find((entry) => entry.id === 'moved')).toEqual({ team: 't', id: 'moved', dueShard: 'DUE#0', dueAt: item.dueAt, attemptCount: 1 });
    expect(await repairIndexes()).toEqual({ removed: 0, restored: 0 });
  });
});
