import { matchRoute, routeFor, ROUTES } from '../../lambdas/handlers/http/routes';

describe('route table', () => {
  test('operations and method+path pairs are unique', () => {
    expect(new Set(ROUTES.map((route) => route.operation)).size).toBe(ROUTES.length);
    expect(new Set(ROUTES.map((route) => `${route.method} ${route.path}`)).size).toBe(ROUTES.length);
  });

  test('only /health is public; every team route needs a role', () => {
    expect(ROUTES.filter((route) => route.roles.length === 0).map((route) => route.path)).toEqual(['/health']);
    for (const route of ROUTES.filter((candidate) => candidate.path.startsWith('/teams/{team}'))) {
      expect(route.roles.length).toBeGreaterThan(0);
    }
  });

  test('registry keys reach events and GET /me (who they are), nothing else', () => {
    expect(ROUTES.filter((route) => (route.roles as readonly string[]).includes('registry')).map((route) => route.operation)).toEqual(['me', 'reportEvent']);
  });

  test.each([
    ['GET', '/teams/demo/webhooks/wh_1', 'getWebhook', { team: 'demo', id: 'wh_1' }],
    ['POST', '/teams/demo/webhooks/wh_1/test', 'testWebhook', { team: 'demo', id: 'wh_1' }],
    ['PUT', '/teams/a-b_c/secrets/HMAC_KEY', 'putSecret', { team: 'a-b_c', name: 'HMAC_KEY' }],
    ['POST', '/teams/demo/deliveries/dlv_9/redeliver', 'redeliver', { team: 'demo', id: 'dlv_9' }],
    ['GET', '/health', 'health', {}],
  ])('%s %s → %s', (method, path, operation, params) => {
    const match = matchRoute(method, path);
    expect(match).toMatchObject({ route: { operation }, pathParameters: params });
  });

  test('unknown paths and wrong methods are told apart', () => {
    expect(matchRoute('GET', '/teams/demo/nothing')).toBeUndefined();
    expect(matchRoute('DELETE', '/health')).toBe('method-not-allowed');
    expect(matchRoute('GET', '/teams/demo/webhooks/a/b')).toBeUndefined();
  });

  test('routeFor finds a route by API Gateway resource template', () => {
    expect(routeFor('POST', '/teams/{team}/events')?.handler).toBe('ingest');
    expect(routeFor('POST', '/teams/{team}/nothing')).toBeUndefined();
  });
});

test('a malformed percent-escape in a path parameter matches nothing', () => {
  expect(matchRoute('GET', '/teams/demo/webhooks/%E0%A4%A')).toBeUndefined();
  expect(matchRoute('GET', '/teams/demo/webhooks/a%20b')).toMatchObject({ pathParameters: { id: 'a b' } });
});
