/**
 * Input that only a storage engine or the runtime would refuse is refused first, as a 400 or a
 * 404 (architecture.md, Security rules): nesting depth, lone surrogates, bytes that are not
 * UTF-8, ids longer than any id made (path, body, query, cursor).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { DomainError } from '../../lambdas/domain/errors';
import { isPossibleId, MAX_ID_LENGTH } from '../../lambdas/domain/id-limits';
import { checkJsonBody, isWellFormed, MAX_BODY_DEPTH, nestingDepthExceeds } from '../../lambdas/domain/json-input';
import { automationSchema, eventSchema, MAX_METADATA_DEPTH, parseBody } from '../../lambdas/domain/schemas';
import { HttpError } from '../../lambdas/handlers/http/errors';
import { parseApiRequest } from '../../lambdas/handlers/http/request';
import { MemoryDeliveryStore } from '../../lambdas/adapters/memory/delivery-store';

/** `levels` objects nested in one another: `{"a":{"a":…1…}}`. */
function nest(levels: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level++) value = { a: value };
  return value;
}

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('not refused');
}

const event = (overrides: Record<string, unknown> = {}, metadata: unknown = {}) => ({ id: 'evt-1', type: 'LINK_ARTIFACT', artifact: { collection: 'm', metadata }, ...overrides });

describe('nesting depth', () => {
  test('nestingDepthExceeds counts containers (a scalar is 0) and stops at the limit', () => {
    expect(nestingDepthExceeds(1, 0)).toBe(false);
    expect(nestingDepthExceeds(nest(3), 3)).toBe(false);
    expect(nestingDepthExceeds(nest(4), 3)).toBe(true);
    expect(nestingDepthExceeds([[[]]], 2)).toBe(true);
    // Far past V8's stack: no recursion, so no RangeError.
    expect(nestingDepthExceeds(nest(200_000), 32)).toBe(true);
  });

  test(`a body nested ${MAX_BODY_DEPTH} levels passes, ${MAX_BODY_DEPTH + 1} is refused naming where`, () => {
    expect(() => checkJsonBody(nest(MAX_BODY_DEPTH))).not.toThrow();
    const error = refusal(() => checkJsonBody(nest(MAX_BODY_DEPTH + 1)));
    expect(error.kind).toBe('invalid');
    expect(error.message).toBe(`a.a.a.a…: nested deeper than ${MAX_BODY_DEPTH} levels`);
    expect(error.details).toEqual([{ field: 'a.a.a.a…', message: `nested deeper than ${MAX_BODY_DEPTH} levels` }]);
  });

  test('an event with metadata nested ~4,100 levels is a 400, not a RangeError', () => {
    const error = refusal(() => parseBody(eventSchema, event({}, nest(4100))));
    expect(error.message).toMatch(/^artifact\.metadata\.a\.a…: nested deeper than 64 levels$/);
  });

  test(`artifact.metadata: ${MAX_METADATA_DEPTH} levels are accepted, ${MAX_METADATA_DEPTH + 1} refused`, () => {
    expect(parseBody(eventSchema, event({}, nest(MAX_METADATA_DEPTH))).artifact.metadata).toEqual(nest(MAX_METADATA_DEPTH));
    const error = refusal(() => parseBody(eventSchema, event({}, nest(MAX_METADATA_DEPTH + 1))));
    expect(error.message).toBe(`artifact.metadata: must not nest deeper than ${MAX_METADATA_DEPTH} levels`);
  });

  test('a wide body within the depth is accepted, and the first problem in document order is named', () => {
    let wide: unknown = Array(40_000).fill('x');
    for (let level = 0; level < MAX_BODY_DEPTH - 2; level++) wide = [wide];
    expect(() => checkJsonBody({ a: wide })).not.toThrow();
    expect(refusal(() => checkJsonBody({ a: ['ok', 'b\ud800'], z: 'c\udc00' })).message).toBe('a.1: must be well-formed Unicode (it holds a lone surrogate)');
  });

  test('a message never carries a long key whole', () => {
    const key = 'k'.repeat(10_000);
    let value: unknown = 1;
    for (let level = 0; level < MAX_BODY_DEPTH + 1; level++) value = { [key]: value };
    const error = refusal(() => checkJsonBody(value));
    expect(error.message.length).toBeLessThan(300);
  });
});

describe('well-formed Unicode', () => {
  test('isWellFormed: pairs are fine, a lone half of either kind is not', () => {
    expect(isWellFormed('ok 😀 é')).toBe(true);
    expect(isWellFormed('S\ud800N')).toBe(false);
    expect(isWellFormed('S\udc00N')).toBe(false);
    expect(isWellFormed('😀\ud83d')).toBe(false);
  });

  test.each([
    ['the id', { id: 'S\ud800N' }, 'id'],
    ['the author', { author: 'al\udfffice' }, 'author'],
    ['an alias', { alias: '\ud800' }, 'alias'],
  ])('a lone surrogate in %s of an event → 400 naming it', (_, overrides, field) => {
    const error = refusal(() => parseBody(eventSchema, event(overrides)));
    expect(error.details).toEqual([{ field, message: 'must be well-formed Unicode (it holds a lone surrogate)' }]);
  });

  test('in metadata, values and field names alike', () => {
    expect(refusal(() => parseBody(eventSchema, event({}, { note: ['x', 'y\ud800'] }))).message).toBe('artifact.metadata.note.1: must be well-formed Unicode (it holds a lone surrogate)');
    expect(refusal(() => parseBody(eventSchema, event({}, { 'k\udc00': 1 }))).message).toBe('artifact.metadata: field names must be well-formed Unicode (one holds a lone surrogate)');
  });

  test('every body goes through it: an automation name', () => {
    const error = refusal(() => parseBody(automationSchema, { name: 'S\ud800N', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: 'wh_1' } }));
    expect(error.message).toBe('name: must be well-formed Unicode (it holds a lone surrogate)');
  });
});

describe('id lengths', () => {
  test(`ids of 1–${MAX_ID_LENGTH} characters are possible`, () => {
    expect(isPossibleId('')).toBe(false);
    expect(isPossibleId('x'.repeat(MAX_ID_LENGTH))).toBe(true);
    expect(isPossibleId('x'.repeat(MAX_ID_LENGTH + 1))).toBe(false);
  });

  test('an automation naming a webhook id over the limit is a 400', () => {
    const error = refusal(() => parseBody(automationSchema, { name: 'a', event: { type: 'LINK_ARTIFACT' }, action: { type: 'WEBHOOK', webhookId: 'w'.repeat(1100) } }));
    expect(error.message).toBe(`action.webhookId: must be at most ${MAX_ID_LENGTH} characters`);
  });

  test('a cursor whose key is empty or too long is not a cursor (memory store; the DynamoDB one in the port contract)', async () => {
    const store = new MemoryDeliveryStore();
    for (const after of ['', 'x'.repeat(MAX_ID_LENGTH + 1)]) {
      const cursor = Buffer.from(JSON.stringify({ team: 'demo', after })).toString('base64url');
      await expect(store.list({ team: 'demo', limit: 10, cursor })).rejects.toThrow('cursor: is not a cursor from this list');
    }
  });
});

describe('the HTTP layer', () => {
  const request = (resource: string, path: string, params: Record<string, string>, body?: Buffer): APIGatewayProxyEvent => ({
    httpMethod: body ? 'POST' : 'GET', resource, path, pathParameters: params, headers: { 'Content-Type': 'application/json' },
    body: body ? body.toString('base64') : null, isBase64Encoded: true,
    requestContext: { authorizer: { team: 'demo', role: 'admin' } },
  } as unknown as APIGatewayProxyEvent);

  function httpError(run: () => unknown): HttpError {
    try {
      run();
    } catch (error) {
      if (error instanceof HttpError) return error;
      throw error;
    }
    throw new Error('not refused');
  }

  test.each([
    ['/teams/{team}/webhooks/{id}', 'webhook'],
    ['/teams/{team}/automations/{id}', 'automation'],
    ['/teams/{team}/deliveries/{id}', 'delivery'],
  ])('a path id over the limit on %s → 404 before any read', (resource, what) => {
    const error = httpError(() => parseApiRequest(request(resource, '/x', { team: 'demo', id: 'x'.repeat(1100) })));
    expect({ status: error.status, code: error.code, message: error.message }).toEqual({ status: 404, code: 'NOT_FOUND', message: `${what} not found` });
    expect(parseApiRequest(request(resource, '/x', { team: 'demo', id: 'x'.repeat(MAX_ID_LENGTH) })).params.id).toHaveLength(MAX_ID_LENGTH);
  });

  test('a redeliver of a too long id is a 404 too', () => {
    const redeliver = { ...request('/teams/{team}/deliveries/{id}/redeliver', '/x', { team: 'demo', id: 'd'.repeat(2000) }), httpMethod: 'POST' } as APIGatewayProxyEvent;
    expect(httpError(() => parseApiRequest(redeliver)).status).toBe(404);
  });

  test('a body that is not UTF-8 is INVALID_JSON (its bytes would each become U+FFFD)', () => {
    const bytes = Buffer.concat([Buffer.from('{"id":"S'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('N"}')]);
    const error = httpError(() => parseApiRequest(request('/teams/{team}/events', '/teams/demo/events', { team: 'demo' }, bytes)));
    expect({ status: error.status, code: error.code, message: error.message }).toEqual({ status: 400, code: 'INVALID_JSON', message: 'body is not valid UTF-8' });
    expect(parseApiRequest(request('/teams/{team}/events', '/teams/demo/events', { team: 'demo' }, Buffer.from('{"id":"é😀"}'))).body).toEqual({ id: 'é😀' });
  });
});
