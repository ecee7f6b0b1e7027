/**
 * bin/local/ttl-sweep.ts, local mode's TTL, on dynalite (local mode's engine, patched as local
 * mode runs it): expired items go, live ones and ones without a number in the TTL attribute stay,
 * tables without a TTL attribute are not touched, index entries go with their items, and an item
 * the sweep finds across several scan pages is found whole.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeDynaliteWritesAtomic } from '../../bin/local/dynalite-atomic';
import { createTableInput } from '../../bin/local/engines';
import { sweepExpiredItems } from '../../bin/local/ttl-sweep';
import { CONFIG_TABLE, DELIVERIES_TABLE, LIMITS_TABLE } from '../../lib/table-definitions';

let server: Server;
let db: DynamoDBDocumentClient;
let suffix = 0;

beforeAll(async () => {
  makeDynaliteWritesAtomic();
  const dynalite = (await import('dynalite')).default;
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  db = DynamoDBDocumentClient.from(new DynamoDBClient({
    region: 'us-east-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }));
});

afterAll(async () => {
  db.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function tables() {
  suffix++;
  const names = { deliveries: `deliveries-${suffix}`, limits: `limits-${suffix}`, config: `config-${suffix}` };
  await db.send(new CreateTableCommand(createTableInput(names.deliveries, DELIVERIES_TABLE)));
  await db.send(new CreateTableCommand(createTableInput(names.limits, LIMITS_TABLE)));
  await db.send(new CreateTableCommand(createTableInput(names.config, CONFIG_TABLE)));
  return {
    names,
    swept: [
      { name: names.deliveries, definition: DELIVERIES_TABLE },
      { name: names.limits, definition: LIMITS_TABLE },
      { name: names.config, definition: CONFIG_TABLE },
    ],
  };
}

async function keysOf(table: string): Promise<string[]> {
  const { Items } = await db.send(new ScanCommand({ TableName: table }));
  return (Items ?? []).map((item) => String(item.id ?? item.pk)).sort();
}

const NOW = new Date('2026-06-01T12:00:00.000Z');
const nowSeconds = NOW.getTime() / 1000;

test('deletes what expired before now, keeps the rest, in every table with a TTL attribute', async () => {
  const { names, swept } = await tables();
  const delivery = (id: string, expiresAt: unknown) => ({ team: 't', id, status: 'retrying', dueShard: 'DUE#0', dueAt: '2026-06-01T11:00:00.000Z', expiresAt });
  await db.send(new PutCommand({ TableName: names.deliveries, Item: delivery('old', nowSeconds - 1) }));
  await db.send(new PutCommand({ TableName: names.deliveries, Item: delivery('edge', nowSeconds) })); // not yet: DynamoDB's `<`
  await db.send(new PutCommand({ TableName: names.deliveries, Item: delivery('live', nowSeconds + 3600) }));
  await db.send(new PutCommand({ TableName: names.deliveries, Item: { team: 't', id: 'no-ttl', status: 'succeeded' } }));
  await db.send(new PutCommand({ TableName: names.deliveries, Item: { team: 't', id: 'text-ttl', status: 'succeeded', expiresAt: '1' } }));
  await db.send(new PutCommand({ TableName: names.limits, Item: { pk: 'RATE#w1#1', count: 3, expiresAt: nowSeconds - 100 } }));
  await db.send(new PutCommand({ TableName: names.limits, Item: { pk: 'RATE#w1#2', count: 1, expiresAt: nowSeconds + 5 } }));
  // The config table has no TTL: an item there with an old `expiresAt` is someone's data, kept.
  await db.send(new PutCommand({ TableName: names.config, Item: { pk: 'KEY#1', sk: 'KEY', expiresAt: 1 } }));

  const deleted = await sweepExpiredItems(db, swept, NOW);

  expect(deleted).toEqual({ [names.deliveries]: 1, [names.limits]: 1 });
  expect(await keysOf(names.deliveries)).toEqual(['edge', 'live', 'no-ttl', 'text-ttl']);
  expect(await keysOf(names.limits)).toEqual(['RATE#w1#2']);
  expect(await keysOf(names.config)).toEqual(['KEY#1']);
  // The expired delivery's `due` entry went with it: the sweeper will not find it.
  const { Items } = await db.send(new QueryCommand({ TableName: names.deliveries, IndexName: 'due', KeyConditionExpression: 'dueShard = :s', ExpressionAttributeValues: { ':s': 'DUE#0' } }));
  expect(Items!.map((item) => item.id).sort()).toEqual(['edge', 'live']);
  // A second sweep at the same instant finds nothing more.
  expect(await sweepExpiredItems(db, swept, NOW)).toEqual({ [names.deliveries]: 0, [names.limits]: 0 });
});

test('reads the whole table: expired items beyond the first scan page (1 MB) go too', async () => {
  const { names, swept } = await tables();
  // ~1.6 MB of items in all, so the scan needs at least two pages.
  const padding = 'x'.repeat(40_000);
  for (let index = 0; index < 40; index++) {
    await db.send(new PutCommand({ TableName: names.limits, Item: { pk: `P#${String(index).padStart(2, '0')}`, padding, expiresAt: index % 2 === 0 ? nowSeconds - 10 : nowSeconds + 10 } }));
  }
  const deleted = await sweepExpiredItems(db, swept, NOW);
  expect(deleted[names.limits]).toBe(20);
  expect(await keysOf(names.limits)).toEqual(Array.from({ length: 20 }, (_, index) => `P#${String(index * 2 + 1).padStart(2, '0')}`));
});

test('an item rewritten with a later time after it was found expired is kept (the delete is conditional)', async () => {
  const { names, swept } = await tables();
  await db.send(new PutCommand({ TableName: names.limits, Item: { pk: 'LEASE#w1', expiresAt: nowSeconds - 1 } }));
  // Between the sweep's scan and its delete, the item is renewed: simulated by renewing it as the delete is sent.
  const renewing = {
    send: async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
      if (command.constructor.name === 'DeleteCommand') {
        await db.send(new PutCommand({ TableName: names.limits, Item: { pk: 'LEASE#w1', expiresAt: nowSeconds + 60 } }));
      }
      return db.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
  expect(await sweepExpiredItems(renewing, swept.filter((table) => table.name === names.limits), NOW)).toEqual({ [names.limits]: 0 });
  expect((await db.send(new GetCommand({ TableName: names.limits, Key: { pk: 'LEASE#w1' } }))).Item).toEqual({ pk: 'LEASE#w1', expiresAt: nowSeconds + 60 });
});
