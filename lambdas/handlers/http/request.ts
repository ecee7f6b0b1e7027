/**
 * Turns an API Gateway proxy event into a checked request: the route (from the one route
 * table), the caller's team and role checked against it, and the JSON body parsed within the
 * limits of api.md. Every `/teams/{team}/…` route goes through here, so authorization is
 * enforced in one place and a new route cannot skip it.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Role } from '../../domain/types';
import { routeFor, type Route } from './routes';
import { HttpError } from './errors';
import { TEAM_PATTERN } from '../../domain/schemas';
import { isPossibleId } from '../../domain/id-limits';

/** What a route's `{id}` names, for the 404 of an id too long to exist (by the path segment before it). */
const ID_NAMES: Record<string, string> = { keys: 'key', webhooks: 'webhook', automations: 'automation', deliveries: 'delivery' };

/** A 404 for an `{id}` that no record can have (id-limits.ts): checked before any read, which would fail on it. */
function checkIdParameter(route: Route, params: Record<string, string>): void {
  if (params.id === undefined || isPossibleId(params.id)) return;
  const segment = /\/([^/]+)\/\{id\}/.exec(route.path)?.[1] ?? '';
  throw new HttpError('NOT_FOUND', `${ID_NAMES[segment] ?? 'resource'} not found`);
}

/** Largest accepted body (api.md). Enforced here: API Gateway's own limit is 10 MB. */
export const MAX_BODY_BYTES = 256 * 1024;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Who is calling, as the authorizer established it. */
export interface Caller {
  team: string;
  role: Role;
  /** The key's id (the authorizer's `keyId`, or its principal id). */
  keyId: string;
}

/** A request that passed the checks. */
export interface ApiRequest {
  route: Route;
  team: string;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
  /** The authenticated caller; `null` on public routes called without a key. */
  caller: Caller | null;
}

function callerOf(event: APIGatewayProxyEvent): Caller | null {
  const context = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  if (!context || typeof context.team !== 'string' || typeof context.role !== 'string') return null;
  const keyId = typeof context.keyId === 'string' ? context.keyId : typeof context.principalId === 'string' ? context.principalId : '';
  return { team: context.team, role: context.role as Role, keyId };
}

function authorize(route: Route, caller: Caller | null, team: string | undefined): void {
  const roles: readonly Role[] = route.roles;
  if (roles.length === 0) return;
  if (!caller) throw new HttpError('UNAUTHENTICATED', 'missing or unknown API key');
  // Registry keys (team `*`) are valid for every team; any other key only for its own.
  if (team !== undefined && caller.team !== '*' && caller.team !== team) throw new HttpError('FORBIDDEN', 'this key belongs to another team');
  if (!roles.includes(caller.role)) throw new HttpError('FORBIDDEN', `this route needs the ${roles.join(' or ')} role`);
}

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value ?? undefined;
  return undefined;
}

function parseBody(route: Route, event: APIGatewayProxyEvent): unknown {
  if (!event.body) return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) throw new HttpError('PAYLOAD_TOO_LARGE', `body is larger than ${MAX_BODY_BYTES} bytes`);
  if (!route.hasBody) return undefined;
  const type = (header(event, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[\w.+-]+\+json$/.test(type)) {
    throw new HttpError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
  }
  let text: string;
  try {
    // Fatal: bytes that are not UTF-8 would each become U+FFFD, so distinct ids could arrive as one.
    text = UTF8.decode(raw);
  } catch {
    throw new HttpError('INVALID_JSON', 'body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError('INVALID_JSON', 'body is not valid JSON');
  }
}

/** Checks an event against the route table; throws HttpError with the right status otherwise. */
export function parseApiRequest(event: APIGatewayProxyEvent): ApiRequest {
  const route = routeFor(event.httpMethod, event.resource);
  if (!route) throw new HttpError('NOT_FOUND', `no route ${event.httpMethod} ${event.path}`);
  const params = (event.pathParameters ?? {}) as Record<string, string>;
  const team = params.team;
  const caller = callerOf(event);
  authorize(route, caller, team);
  if (team !== undefined && !TEAM_PATTERN.test(team)) throw new HttpError('VALIDATION_FAILED', 'team: must match ^[A-Za-z0-9_-]{1,64}$');
  checkIdParameter(route, params);
  return {
    route,
    team: team ?? '',
    params,
    query: (event.queryStringParameters ?? {}) as Record<string, string | undefined>,
    body: parseBody(route, event),
    caller,
  };
}
