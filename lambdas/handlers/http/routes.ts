/**
 * The one route table. The CDK stack (lib/api.ts) builds API Gateway resources and methods
 * from it, the local runner dispatches with it, and the api and ingest handlers enforce team
 * and role from it and map each `operation` to its service call (operations.ts, checked by the
 * compiler against this table), so none of them can drift apart.
 */
import type { Role } from '../../domain/types';

/** Which Lambda serves a route. */
export type RouteHandler = 'api' | 'ingest';

/** One HTTP route of the public API. */
export interface RouteDefinition {
  /** Stable name, used as the OpenAPI operationId, in logs and as the key of its operation. */
  readonly operation: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway resource path, with `{param}` placeholders. */
  readonly path: string;
  readonly handler: RouteHandler;
  /** Roles allowed to call it; empty means public (no key needed). */
  readonly roles: readonly Role[];
  /** Whether the route takes a JSON body (drives the 415/400 checks). */
  readonly hasBody: boolean;
}

const READ = ['member', 'admin'] as const satisfies readonly Role[];
const WRITE = ['admin'] as const satisfies readonly Role[];
const ANY_KEY = ['member', 'admin', 'registry'] as const satisfies readonly Role[];

/**
 * Every route of API v1. Add a route here and the stack, local mode and the auth tests pick it
 * up, and the compiler asks for its operation in operations.ts.
 */
export const ROUTES = [
  { operation: 'health', method: 'GET', path: '/health', handler: 'api', roles: [], hasBody: false },
  // Who a key is: the console signs in with a key alone (api.md). Any valid key, no team in the path.
  { operation: 'me', method: 'GET', path: '/me', handler: 'api', roles: ANY_KEY, hasBody: false },

  { operation: 'createKey', method: 'POST', path: '/teams/{team}/keys', handler: 'api', roles: WRITE, hasBody: true },
  { operation: 'listKeys', method: 'GET', path: '/teams/{team}/keys', handler: 'api', roles: WRITE, hasBody: false },
  { operation: 'deleteKey', method: 'DELETE', path: '/teams/{team}/keys/{id}', handler: 'api', roles: WRITE, hasBody: false },

  { operation: 'putSecret', method: 'PUT', path: '/teams/{team}/secrets/{name}', handler: 'api', roles: WRITE, hasBody: true },
  { operation: 'listSecrets', method: 'GET', path: '/teams/{team}/secrets', handler: 'api', roles: READ, hasBody: false },
  { operation: 'deleteSecret', method: 'DELETE', path: '/teams/{team}/secrets/{name}', handler: 'api', roles: WRITE, hasBody: false },

  { operation: 'createWebhook', method: 'POST', path: '/teams/{team}/webhooks', handler: 'api', roles: WRITE, hasBody: true },
  { operation: 'listWebhooks', method: 'GET', path: '/teams/{team}/webhooks', handler: 'api', roles: READ, hasBody: false },
  { operation: 'getWebhook', method: 'GET', path: '/teams/{team}/webhooks/{id}', handler: 'api', roles: READ, hasBody: false },
  { operation: 'updateWebhook', method: 'PATCH', path: '/teams/{team}/webhooks/{id}', handler: 'api', roles: WRITE, hasBody: true },
  { operation: 'deleteWebhook', method: 'DELETE', path: '/teams/{team}/webhooks/{id}', handler: 'api', roles: WRITE, hasBody: false },
  { operation: 'testWebhook', method: 'POST', path: '/teams/{team}/webhooks/{id}/test', handler: 'api', roles: WRITE, hasBody: true },
  { operation: 'recoverWebhook', method: 'POST', path: '/teams/{team}/webhooks/{id}/recover', handler: 'api', roles: WRITE, hasBody: true },

  { operation: 'createAutomation', method: 'POST', path: '/teams/{team}/automations', handler: 'api', roles: WRITE, hasBody: true },
  { operation: 'listAutomations', method: 'GET', path: '/teams/{team}/automations', handler: 'api', roles: READ, hasBody: false },
  { operation: 'getAutomation', method: 'GET', path: '/teams/{team}/automations/{id}', handler: 'api', roles: READ, hasBody: false },
  { operation: 'updateAutomation', method: 'PATCH', path: '/teams/{team}/automations/{id}', handler: 'api', roles: WRITE, hasBody: true },
  { operation: 'deleteAutomation', method: 'DELETE', path: '/teams/{team}/automations/{id}', handler: 'api', roles: WRITE, hasBody: false },
  { operation: 'listPayloadExamples', method: 'GET', path: '/teams/{team}/payload-examples', handler: 'api', roles: READ, hasBody: false },

  { operation: 'reportEvent', method: 'POST', path: '/teams/{team}/events', handler: 'ingest', roles: ['registry', 'admin'], hasBody: true },

  { operation: 'listDeliveries', method: 'GET', path: '/teams/{team}/deliveries', handler: 'api', roles: READ, hasBody: false },
  { operation: 'getDelivery', method: 'GET', path: '/teams/{team}/deliveries/{id}', handler: 'api', roles: READ, hasBody: false },
  { operation: 'redeliver', method: 'POST', path: '/teams/{team}/deliveries/{id}/redeliver', handler: 'api', roles: WRITE, hasBody: false },
] as const satisfies readonly RouteDefinition[];

/** A route of the table. */
export type Route = (typeof ROUTES)[number];

/** The operation names of the routes one Lambda serves. */
export type OperationName<H extends RouteHandler = RouteHandler> = Extract<Route, { handler: H }>['operation'];

/** A route matched against a concrete request path. */
export interface RouteMatch {
  readonly route: Route;
  readonly pathParameters: Record<string, string>;
}

const compiled = ROUTES.map((route: Route) => {
  const names: string[] = [];
  const pattern = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, names, regex: new RegExp(`^${pattern}$`) };
});

/**
 * Finds the route for a method and a concrete path (local runner; API Gateway does this itself
 * when deployed). Returns `undefined` for an unknown path and `'method-not-allowed'` when the
 * path exists under another method.
 */
export function matchRoute(method: string, path: string): RouteMatch | 'method-not-allowed' | undefined {
  let pathKnown = false;
  for (const { route, names, regex } of compiled) {
    const found = regex.exec(path);
    if (!found) continue;
    pathKnown = true;
    if (route.method !== method) continue;
    const pathParameters: Record<string, string> = {};
    for (const [index, name] of names.entries()) {
      const decoded = decodeOrUndefined(found[index + 1]);
      // A malformed escape (`%E0%A4%A`) names nothing that can exist: not found, like API Gateway.
      if (decoded === undefined) return undefined;
      pathParameters[name] = decoded;
    }
    return { route, pathParameters };
  }
  return pathKnown ? 'method-not-allowed' : undefined;
}

function decodeOrUndefined(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Finds the route for an API Gateway `resource` template and method. */
export function routeFor(method: string, resource: string): Route | undefined {
  return ROUTES.find((route: Route) => route.method === method && route.path === resource);
}
