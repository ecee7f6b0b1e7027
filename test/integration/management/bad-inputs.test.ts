/**
 * Input that only a storage engine, the runtime or Node's HTTP parser would refuse gets a 4xx in
 * api.md's error shape and changes nothing (architecture.md, Security rules), over real HTTP
 * against local mode as deployed (support/management.ts): metadata nested thousands of levels,
 * ids over 1 KB in paths, bodies, filters and cursors, lone surrogates and bytes that are not
 * UTF-8, pages of large deliveries (bounded in bytes), automations past the per-team limits
 * (fan-out and pattern cost), and requests Node itself refuses (huge headers, CL+TE).
 *
 * The webhook the events go to is disabled, so deliveries end `skipped`: nothing is ever sent.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import http from 'node:http';
import net from 'node:net';
import { DynamoAutomationStore } from '../../../lambdas/adapters/dynamo/automation-store';
import { MAX_AUTOMATIONS_PER_FILTER, MAX_DELIVERIES_PER_EVENT, MAX_PATTERN_COST_PER_EVENT, MAX_PATTERN_COST_PER_FILTER } from '../../../lambdas/domain/services/automation-limits';
import { PAGE_BYTE_BUDGET } from '../../../lambdas/domain/services/deliveries';
import { readRuntime } from '../../../bin/local/runtime-file';
import { client, expectError, registryEvent, type Client } from '../support/api-session';
import { waitForDelivery } from '../support/deliveries';
import { call, waitFor, type ApiAnswer } from '../support/http';
import { startAsDeployed, T, type AsDeployed } from '../support/management';

const LONG_ID = 'x'.repeat(1100);

/** `levels` objects nested in one another. */
function nest(levels: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level++) value = { a: value };
  return value;
}

/** A cursor of the store's own form (`{team, id}`, base64url JSON) with this key. */
const cursorOf = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');

/** One raw HTTP exchange on a fresh connection: what the server wrote until it closed. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.once('close', () => resolve(answer));
    socket.once('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
  });
}

/** Status, headers and parsed body of a raw HTTP answer. */
function parseRaw(raw: string): { status: number; headers: string; body: any } {
  const [head, ...rest] = raw.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body: JSON.parse(rest.join('\r\n\r\n')) };
}

describe('bad inputs a storage engine, the runtime or the HTTP parser would refuse (local mode as deployed)', () => {
  let deployed: AsDeployed;
  let admin: Client, registry: Client;
  let hookId: string, automationId: string, deliveryId: string;
  /** The team's stored state, deliveries included. */
  let everything: () => Promise<unknown>;

  beforeAll(async () => {
    deployed = await startAsDeployed();
    ({ admin } = deployed);
    registry = client(deployed.local.baseUrl, deployed.local.registryKey);
    const hook = await admin.post(`${T}/webhooks`, { name: 'parked', url: 'https://ci.example.com/parked', enabled: false });
    expect(hook.status).toBe(201);
    hookId = hook.body.id;
    const automation = await admin.post(`${T}/automations`, { name: 'on-link', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: hookId } });
    expect(automation.status).toBe(201);
    automationId = automation.body.id;
    const event = await registry.post(`${T}/events`, registryEvent('evt-first'));
    expect(event.status).toBe(202);
    deliveryId = event.body.deliveries[0].id;
    await waitForDelivery(deployed.local, deliveryId, (delivery) => delivery.status === 'skipped', { what: 'the first delivery to be skipped' });
    everything = async () => ({ ...(await deployed.snapshot()), deliveries: (await admin.get(`${T}/deliveries?limit=100`)).body });
  }, 60_000);
  afterAll(() => deployed?.stop());

  /** Waits until no delivery is still waiting for its (skipped) first attempt, so the log holds still. */
  async function settled(): Promise<void> {
    await waitFor(async () => ((await admin.get(`${T}/deliveries?status=pending&limit=1`)).body.items.length === 0 ? true : undefined), { timeoutMs: 60_000, what: 'every delivery to be skipped' });
  }

  /** Expects `request` to be answered `status`/`code` in the error shape, with nothing changed. */
  async function refusedWithoutChange(request: () => Promise<ApiAnswer>, status: number, code: string): Promise<ApiAnswer> {
    await settled();
    const before = await everything();
    const answer = await request();
    expectError(answer, status, code);
    expect(await everything()).toEqual(before);
    return answer;
  }

  describe('nesting', () => {
    test('an event whose artifact.metadata nests ~4,100 levels → 400 (was a RangeError, 500); the id stays free', async () => {
      const answer = await refusedWithoutChange(() => registry.post(`${T}/events`, registryEvent('evt-deep', { artifact: { ...(registryEvent('x').artifact as object), metadata: nest(4100) } })), 400, 'VALIDATION_FAILED');
      expect(answer.body.error.message).toBe('artifact.metadata.a.a…: nested deeper than 64 levels');
      expect((await registry.post(`${T}/events`, registryEvent('evt-deep'))).body.duplicate).toBe(false);
    });

    test('metadata nested 33 levels → 400 naming the limit of 32', async () => {
      const answer = await refusedWithoutChange(() => registry.post(`${T}/events`, registryEvent('evt-33', { artifact: { ...(registryEvent('x').artifact as object), metadata: nest(33) } })), 400, 'VALIDATION_FAILED');
      expect(answer.body.error.message).toBe('artifact.metadata: must not nest deeper than 32 levels');
    });

    test('a test payload nested 10,000 levels → 400, not a crash', async () => {
      const levels = 10_000;
      const rawBody = `{"payload":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}`;
      await refusedWithoutChange(() => admin.send('POST', `${T}/webhooks/${hookId}/test`, { rawBody }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('ids over 1 KB', () => {
    test.each([
      ['GET', 'webhooks/{long}', `/webhooks/${LONG_ID}`, undefined],
      ['PATCH', 'webhooks/{long}', `/webhooks/${LONG_ID}`, { name: 'renamed' }],
      ['DELETE', 'webhooks/{long}', `/webhooks/${LONG_ID}`, undefined],
      ['POST', 'webhooks/{long}/test', `/webhooks/${LONG_ID}/test`, {}],
      ['POST', 'webhooks/{long}/recover', `/webhooks/${LONG_ID}/recover`, { since: '2026-01-01T00:00:00Z' }],
      ['GET', 'automations/{long}', `/automations/${LONG_ID}`, undefined],
      ['PATCH', 'automations/{long}', `/automations/${LONG_ID}`, { name: 'renamed' }],
      ['DELETE', 'automations/{long}', `/automations/${LONG_ID}`, undefined],
      ['GET', 'deliveries/{long}', `/deliveries/${LONG_ID}`, undefined],
      ['POST', 'deliveries/{long}/redeliver', `/deliveries/${LONG_ID}/redeliver`, undefined],
      ['DELETE', 'keys/{long}', `/keys/${LONG_ID}`, undefined],
    ])('%s %s → 404 (was a ValidationException, 500)', async (method, _, path, body) => {
      await refusedWithoutChange(() => admin.send(method, `${T}${path}`, body === undefined ? {} : { body }), 404, 'NOT_FOUND');
    });

    test('an automation naming a webhookId of 1,100 characters → 400', async () => {
      const answer = await refusedWithoutChange(() => admin.post(`${T}/automations`, { name: 'long-hook', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: LONG_ID } }), 400, 'VALIDATION_FAILED');
      expect(answer.body.error.message).toBe('action.webhookId: must be at most 128 characters');
      await refusedWithoutChange(() => admin.patch(`${T}/automations/${automationId}`, { action: { webhookId: LONG_ID } }), 400, 'VALIDATION_FAILED');
    });

    test.each([
      ['an empty id', cursorOf({ team: 'demo', id: '' })],
      ['an id of 1,100 characters', cursorOf({ team: 'demo', id: LONG_ID })],
      ['an empty team', cursorOf({ team: '', id: deliveryId })],
    ])('a deliveries cursor with %s → 400', async (_, cursor) => {
      await refusedWithoutChange(() => admin.get(`${T}/deliveries?cursor=${cursor}`), 400, 'VALIDATION_FAILED');
    });

    test.each(['webhookId', 'automationId', 'eventId'])('a deliveries filter %s of 1,100 characters → 400', async (field) => {
      const answer = await refusedWithoutChange(() => admin.get(`${T}/deliveries?${field}=${LONG_ID}`), 400, 'VALIDATION_FAILED');
      expect(answer.body.error.details).toEqual([{ field, message: 'must be at most 128 characters' }]);
    });
  });

  describe('malformed Unicode', () => {
    test('event ids with different lone surrogates → 400 each (they used to collapse into one stored id)', async () => {
      for (const id of ['S\ud800N', 'S\udbffN', 'S\udc00N']) {
        const answer = await refusedWithoutChange(() => registry.post(`${T}/events`, registryEvent(id)), 400, 'VALIDATION_FAILED');
        expect(answer.body.error.details).toEqual([{ field: 'id', message: 'must be well-formed Unicode (it holds a lone surrogate)' }]);
      }
      // Well-formed ids that differ only outside the BMP stay two events.
      const first = await registry.post(`${T}/events`, registryEvent('S😀N'));
      const second = await registry.post(`${T}/events`, registryEvent('S😁N'));
      expect([first.status, first.body.duplicate, second.status, second.body.duplicate]).toEqual([202, false, 202, false]);
    });

    test('a lone surrogate in a name, an author or a metadata key → 400', async () => {
      await refusedWithoutChange(() => admin.post(`${T}/webhooks`, { name: 'S\ud800N', url: 'https://ci.example.com/x' }), 400, 'VALIDATION_FAILED');
      await refusedWithoutChange(() => admin.post(`${T}/automations`, { name: 'S\udfffN', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: hookId } }), 400, 'VALIDATION_FAILED');
      await refusedWithoutChange(() => registry.post(`${T}/events`, registryEvent('evt-author', { author: 'al\ud800ice' })), 400, 'VALIDATION_FAILED');
      await refusedWithoutChange(() => registry.post(`${T}/events`, registryEvent('evt-key', { artifact: { ...(registryEvent('x').artifact as object), metadata: { 'k\ud800': 1 } } })), 400, 'VALIDATION_FAILED');
    });

    test('a body whose bytes are not UTF-8 → 400 INVALID_JSON (each would have become U+FFFD)', async () => {
      const bytes = Buffer.concat([Buffer.from('{"id":"S'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('N","type":"LINK_ARTIFACT","artifact":{"collection":"m"}}')]);
      await settled();
      const before = await everything();
      const response = await fetch(`${deployed.local.baseUrl}${T}/events`, { method: 'POST', headers: { Authorization: `Bearer ${deployed.local.registryKey}`, 'Content-Type': 'application/json' }, body: bytes });
      const text = await response.text();
      expectError({ status: response.status, body: JSON.parse(text), text, headers: response.headers }, 400, 'INVALID_JSON');
      expect(await everything()).toEqual(before);
    });
  });

  describe('Node\'s own refusals carry the error shape', () => {
    test('a header block of 20 KB → 431 with a JSON error body', async () => {
      const answer = await new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
        const request = http.get(`${deployed.local.baseUrl}/health`, { headers: { 'X-Big': 'a'.repeat(20_000) } }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode!, type: response.headers['content-type'], body }));
        });
        request.once('error', reject);
      });
      expect(answer.status).toBe(431);
      expect(answer.type).toBe('application/json');
      expect(JSON.parse(answer.body)).toEqual({ error: { code: 'HEADERS_TOO_LARGE', message: expect.any(String), details: [] } });
    });

    test('Content-Length beside Transfer-Encoding → 400 with a JSON error body, and nothing changes', async () => {
      await settled();
      const before = await everything();
      const port = Number(new URL(deployed.local.baseUrl).port);
      const body = JSON.stringify(registryEvent('evt-smuggled'));
      const raw = await rawExchange(port, `POST ${T}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${deployed.local.registryKey}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
      const answer = parseRaw(raw);
      expect(answer.status).toBe(400);
      expect(answer.headers).toMatch(/\r\nContent-Type: application\/json\r\n/);
      expect(answer.body).toEqual({ error: { code: 'BAD_REQUEST', message: 'malformed HTTP request', details: [] } });
      expect(await everything()).toEqual(before);
    });
  });

  describe('pages of large deliveries are bounded in bytes', () => {
    const COUNT = 25;
    beforeAll(async () => {
      const big = await admin.post(`${T}/automations`, {
        name: 'big-payload', event: { type: 'CREATE_ARTIFACT' },
        action: { type: 'WEBHOOK', webhookId: hookId, payload: { a: '${artifact_metadata.k}', b: '${artifact_metadata.k}', c: '${artifact_metadata.k}', d: '${artifact_metadata.k}' } },
      });
      expect(big.status).toBe(201);
      // 4 × 48,750 bytes: each payload ~195 KB, under the 200 KiB limit.
      for (let index = 0; index < COUNT; index++) {
        const answer = await registry.post(`${T}/events`, registryEvent(`evt-big-${index}`, { type: 'CREATE_ARTIFACT', artifact: { ...(registryEvent('x').artifact as object), metadata: { k: 'm'.repeat(48_750) } } }));
        expect(answer.status).toBe(202);
      }
    }, 120_000);

    test.each([undefined, 20, 100])('limit=%s: every page within the budget, a cursor to the rest, every delivery once', async (limit) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 50; pages++) {
        const query: string = [limit === undefined ? '' : `limit=${limit}`, cursor === null ? '' : `cursor=${cursor}`, 'automationId=' + (await bigAutomation())].filter(Boolean).join('&');
        const page: ApiAnswer = await admin.get(`${T}/deliveries?${query}`);
        expect(page.status).toBe(200);
        expect(Buffer.byteLength(page.text)).toBeLessThanOrEqual(PAGE_BYTE_BUDGET + 1024);
        expect(page.body.items.length).toBeGreaterThan(0);
        seen.push(...page.body.items.map((item: { id: string }) => item.id));
        cursor = page.body.nextCursor;
        if (cursor === null) break;
      }
      expect(seen).toHaveLength(COUNT);
      expect(new Set(seen).size).toBe(COUNT);
      expect([...seen].sort().reverse()).toEqual(seen);
    });

    async function bigAutomation(): Promise<string> {
      return (await admin.get(`${T}/automations`)).body.items.find((item: { name: string }) => item.name === 'big-payload').id;
    }
  });

  describe('per-team limits on automations', () => {
    /** The event's registry and model, and the four filters an event of them reads. */
    const { project, artifact: { collection } } = registryEvent('x') as { project: string; artifact: { collection: string } };
    const FILTERS = [{}, { collection }, { project }, { project, collection }];

    test(`alias patterns past ${MAX_PATTERN_COST_PER_FILTER} instructions per filter → 409; an event running four filters' worth stays fast, /health answers beside it`, async () => {
      const pattern = (index: number) => `^${index}-[a-z]{0,240}(x|y)$`;
      const aliasAutomation = (name: string, filter: object, aliasPattern: string) => admin.post(`${T}/automations`, { name, event: { type: 'ADD_ARTIFACT_ALIAS', ...filter, aliasPattern }, action: { type: 'WEBHOOK', webhookId: hookId } });
      let accepted = 0;
      let index = 0;
      for (const filter of FILTERS) {
        let refused: ApiAnswer | undefined;
        for (let tries = 0; tries < 100 && !refused; tries++, index++) {
          const answer = await aliasAutomation(`alias-${index}`, filter, pattern(index));
          if (answer.status === 201) accepted++;
          else refused = answer;
        }
        expectError(refused!, 409, 'CONFLICT');
        expect(refused!.body.error.message).toContain(`the limit is ${MAX_PATTERN_COST_PER_FILTER}`);
      }
      await refusedWithoutChange(() => aliasAutomation('alias-again', FILTERS[3], pattern(9999)), 409, 'CONFLICT');

      // The event runs every accepted pattern (all four filters are its candidates).
      const started = Date.now();
      const [event, health] = await Promise.all([
        registry.post(`${T}/events`, registryEvent('evt-alias', { type: 'ADD_ARTIFACT_ALIAS', alias: `0-${'a'.repeat(200)}x` })),
        (async () => {
          const healthStarted = Date.now();
          const answer = await call(deployed.local.baseUrl, 'GET', '/health');
          return { status: answer.status, ms: Date.now() - healthStarted };
        })(),
      ]);
      const took = Date.now() - started;
      process.stdout.write(`${accepted} alias patterns (at most ${MAX_PATTERN_COST_PER_EVENT} instructions per event): event answered in ${took} ms, /health beside it in ${health.ms} ms\n`);
      expect(event.status).toBe(202);
      expect(event.body.deliveries).toHaveLength(1);
      expect(took).toBeLessThan(10_000);
      expect(health.status).toBe(200);
      expect(health.ms).toBeLessThan(10_000);
    }, 120_000);

    test(`${MAX_AUTOMATIONS_PER_FILTER} enabled per filter: one more → 409; an event matching four full filters answers its ${MAX_DELIVERIES_PER_EVENT} deliveries, the same every time`, async () => {
      // Seeded through the real store (the API would take minutes for a thousand creates).
      const runtime = readRuntime(deployed.local.dataDir)!;
      const dynamo = new DynamoDBClient({ region: 'us-east-1', endpoint: runtime.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      const store = new DynamoAutomationStore(DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }), runtime.configTable);
      const at = new Date().toISOString();
      const seeds = FILTERS.flatMap((filter, which) => Array.from({ length: MAX_AUTOMATIONS_PER_FILTER }, (_, index) => ({ filter, id: `au_seed${which}${String(index).padStart(26, '0')}` })));
      let next = 0;
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (next < seeds.length) {
          const { filter, id } = seeds[next++];
          await store.put({ id, team: 'demo', name: id, description: '', enabled: true, event: { type: 'UNLINK_ARTIFACT', ...filter }, action: { type: 'WEBHOOK', webhookId: hookId }, createdAt: at, updatedAt: at });
        }
      }));
      dynamo.destroy();

      for (const filter of FILTERS) {
        const answer = await refusedWithoutChange(() => admin.post(`${T}/automations`, { name: 'one-too-many', event: { type: 'UNLINK_ARTIFACT', ...filter }, action: { type: 'WEBHOOK', webhookId: hookId } }), 409, 'CONFLICT');
        expect(answer.body.error.message).toContain(`at most ${MAX_AUTOMATIONS_PER_FILTER} may share an event type, registry and model filter`);
      }
      // Another model, or a disabled one, is still fine.
      expect((await admin.post(`${T}/automations`, { name: 'other-model', event: { type: 'UNLINK_ARTIFACT', collection: 'another-model' }, action: { type: 'WEBHOOK', webhookId: hookId } })).status).toBe(201);
      expect((await admin.post(`${T}/automations`, { name: 'disabled-extra', enabled: false, event: { type: 'UNLINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: hookId } })).status).toBe(201);

      const started = Date.now();
      const first = await registry.post(`${T}/events`, registryEvent('evt-fan-out', { type: 'UNLINK_ARTIFACT' }));
      const took = Date.now() - started;
      process.stdout.write(`an event matching ${MAX_DELIVERIES_PER_EVENT} automations answered in ${took} ms\n`);
      expect(first.status).toBe(202);
      expect(first.body.deliveries).toHaveLength(MAX_DELIVERIES_PER_EVENT);
      expect(took).toBeLessThan(25_000);
      const again = await registry.post(`${T}/events`, registryEvent('evt-fan-out', { type: 'UNLINK_ARTIFACT' }));
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ ...first.body, duplicate: true });
    }, 180_000);
  });
});
