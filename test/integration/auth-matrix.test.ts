/**
 * Authorization, route by route, over real HTTP against local mode. The matrix is built from
 * lib/routes.ts, so a new route is checked the moment it is added:
 * - no key, an unknown key, a malformed key → 401 UNAUTHENTICATED;
 * - a valid key of another team → 403 FORBIDDEN (both directions);
 * - a role the route does not allow (member on admin routes, registry on management routes,
 *   member on the events route) → 403 FORBIDDEN;
 * - every allowed role gets past authorization (neither 401 nor 403).
 * The requests use ids that do not exist and empty bodies, so nothing is changed by them.
 */
import { ROUTES, type RouteDefinition } from '../../lambdas/handlers/http/routes';
import type { Role } from '../../lambdas/domain/types';
import { expectError } from './support/api-session';
import { call } from './support/http';
import { createKeyWithCli } from './support/keys-cli';
import { removeDataDir, startLocalMode, type LocalModeProcess } from './support/local-mode';

const TEAM = 'demo';
const OTHER_TEAM = 'other';

let local: LocalModeProcess;
/** Keys by holder: `<team>:<role>`, and `registry`. */
const keys: Record<string, string> = {};

beforeAll(async () => {
  local = await startLocalMode({ env: { LOCAL_TEAM: TEAM } });
  keys[`${TEAM}:admin`] = local.adminKey;
  keys.registry = local.registryKey;
  const member = await call(local.baseUrl, 'POST', `/teams/${TEAM}/keys`, { key: local.adminKey, body: { role: 'member', name: 'auth-matrix member' } });
  expect(member.status).toBe(201);
  keys[`${TEAM}:member`] = member.body.key;
  // Another team's first admin key comes from the admin CLI, as in production.
  keys[`${OTHER_TEAM}:admin`] = await createKeyWithCli(local, { team: OTHER_TEAM, role: 'admin' });
  const otherMember = await call(local.baseUrl, 'POST', `/teams/${OTHER_TEAM}/keys`, { key: keys[`${OTHER_TEAM}:admin`], body: { role: 'member' } });
  expect(otherMember.status).toBe(201);
  keys[`${OTHER_TEAM}:member`] = otherMember.body.key;
});

afterAll(async () => {
  await local?.stop();
  if (local) removeDataDir(local.dataDir);
});

/** The route's path for `team`, with ids that do not exist. */
function pathFor(route: RouteDefinition, team: string): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'team' ? team : name === 'name' ? 'NO_SUCH_SECRET' : 'id_that_does_not_exist'));
}

/** Calls a route as `key` (undefined: no Authorization header) on `team`. */
function request(route: RouteDefinition, key: string | undefined, team = TEAM) {
  return call(local.baseUrl, route.method, pathFor(route, team), { key, body: route.hasBody ? {} : undefined });
}

/** The key of a holder of `role` in `team`. */
function keyOf(role: Role, team = TEAM): string {
  return role === 'registry' ? keys.registry : keys[`${team}:${role}`];
}

const ALL_ROLES: readonly Role[] = ['admin', 'member', 'registry'];
const protectedRoutes = ROUTES.filter((route) => route.roles.length > 0);
/** `GET /me` is the one protected route outside a team: any valid key may ask who it is. */
const teamRoutes = protectedRoutes.filter((route) => route.path.startsWith('/teams/'));
const table = protectedRoutes.map((route) => [`${route.operation} (${route.method} ${route.path})`, route] as const);

test('only GET /health is public', () => {
  expect(ROUTES.filter((route) => route.roles.length === 0).map((route) => `${route.method} ${route.path}`)).toEqual(['GET /health']);
  const publicRoute = ROUTES.find((route) => route.roles.length === 0)!;
  return call(local.baseUrl, publicRoute.method, publicRoute.path).then((answer) => expect(answer.status).toBe(200));
});

test('every protected route but GET /me sits under /teams/{team}/ and allows admin or registry', () => {
  expect(protectedRoutes.filter((route) => !teamRoutes.includes(route)).map((route) => `${route.method} ${route.path}`)).toEqual(['GET /me']);
  for (const route of teamRoutes) {
    expect(route.path).toMatch(/^\/teams\/\{team\}\//);
    expect(route.roles.some((role) => role === 'admin' || role === 'registry')).toBe(true);
  }
});

describe.each(table)('%s', (_, route) => {
  test('no key → 401 UNAUTHENTICATED', async () => {
    expectError(await request(route, undefined), 401, 'UNAUTHENTICATED');
  });

  test('an unknown or malformed key → 401 UNAUTHENTICATED', async () => {
    expectError(await request(route, 'rwk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 401, 'UNAUTHENTICATED');
    expectError(await request(route, 'short'), 401, 'UNAUTHENTICATED');
    // The admin key, but not as a bearer token.
    const basic = await fetch(`${local.baseUrl}${pathFor(route, TEAM)}`, {
      method: route.method,
      headers: { Authorization: `Basic ${Buffer.from(`x:${local.adminKey}`).toString('base64')}`, 'Content-Type': 'application/json' },
      body: route.hasBody ? '{}' : undefined,
    });
    expect(basic.status).toBe(401);
    expect(((await basic.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
  });

  if (route.path.startsWith('/teams/')) test("a key of another team → 403 FORBIDDEN, whatever its role", async () => {
    for (const role of route.roles.filter((r): r is 'admin' | 'member' => r !== 'registry')) {
      expectError(await request(route, keyOf(role, OTHER_TEAM), TEAM), 403, 'FORBIDDEN');
      expectError(await request(route, keyOf(role, TEAM), OTHER_TEAM), 403, 'FORBIDDEN');
    }
    // A member of another team, even where members of the team itself are refused.
    expectError(await request(route, keyOf('member', OTHER_TEAM), TEAM), 403, 'FORBIDDEN');
  });

  const refused = ALL_ROLES.filter((role) => !(route.roles as readonly Role[]).includes(role));
  if (refused.length > 0) {
    test(`a role below the route's (${refused.join(', ')}) → 403 FORBIDDEN`, async () => {
      for (const role of refused) expectError(await request(route, keyOf(role)), 403, 'FORBIDDEN');
    });
  }

  test(`the allowed roles (${route.roles.join(', ')}) get past authorization`, async () => {
    for (const role of route.roles) {
      const answer = await request(route, keyOf(role));
      const outcome = `${role} got ${answer.status} ${answer.text.slice(0, 200)}`;
      expect({ outcome, refused: [401, 403].includes(answer.status) || answer.status >= 500 }).toEqual({ outcome, refused: false });
    }
  });
});

test('the matrix covers the registry key on every team and the refused roles as api.md lists them', () => {
  const reportEvent = ROUTES.find((route) => route.operation === 'reportEvent')!;
  expect(reportEvent.roles).toContain('registry');
  expect(reportEvent.roles).not.toContain('member');
  for (const route of teamRoutes.filter((r) => r !== reportEvent)) {
    expect(route.roles).not.toContain('registry');
    if (route.method !== 'GET') expect(route.roles).toEqual(['admin']);
  }
});

test('GET /me tells every key its team, role and key id, and never the key', async () => {
  const keyIds = new Set<string>();
  for (const [holder, team, role] of [[`${TEAM}:admin`, TEAM, 'admin'], [`${TEAM}:member`, TEAM, 'member'], [`${OTHER_TEAM}:admin`, OTHER_TEAM, 'admin'], ['registry', '*', 'registry']] as const) {
    const answer = await call(local.baseUrl, 'GET', '/me', { key: keys[holder] });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ team, role, keyId: expect.stringMatching(/\S/) });
    expect(answer.text).not.toContain(keys[holder]);
    keyIds.add(answer.body.keyId);
  }
  expect(keyIds.size).toBe(4);
  const listed = await call(local.baseUrl, 'GET', `/teams/${TEAM}/keys`, { key: local.adminKey });
  const member = await call(local.baseUrl, 'GET', '/me', { key: keys[`${TEAM}:member`] });
  expect(listed.body.items.map((item: { id: string }) => item.id)).toContain(member.body.keyId);
});

test('the registry key is valid for every team (on the events route)', async () => {
  const reportEvent = ROUTES.find((route) => route.operation === 'reportEvent')!;
  for (const team of [TEAM, OTHER_TEAM, 'a-team-nobody-made']) {
    const answer = await request(reportEvent, keys.registry, team);
    expectError(answer, 400, 'VALIDATION_FAILED'); // past authorization; the empty body is refused
  }
});

test('a deleted key stops working at once (local mode has no authorizer cache)', async () => {
  const made = await call(local.baseUrl, 'POST', `/teams/${TEAM}/keys`, { key: local.adminKey, body: { role: 'admin', name: 'short-lived' } });
  expect(made.status).toBe(201);
  expect((await call(local.baseUrl, 'GET', `/teams/${TEAM}/keys`, { key: made.body.key })).status).toBe(200);
  expect((await call(local.baseUrl, 'DELETE', `/teams/${TEAM}/keys/${made.body.id}`, { key: local.adminKey })).status).toBe(204);
  expectError(await call(local.baseUrl, 'GET', `/teams/${TEAM}/keys`, { key: made.body.key }), 401, 'UNAUTHENTICATED');
});

test("an admin cannot delete another team's key by id", async () => {
  const listed = await call(local.baseUrl, 'GET', `/teams/${OTHER_TEAM}/keys`, { key: keys[`${OTHER_TEAM}:admin`] });
  expect(listed.status).toBe(200);
  const otherKeyId = listed.body.items[0].id;
  expectError(await call(local.baseUrl, 'DELETE', `/teams/${TEAM}/keys/${otherKeyId}`, { key: local.adminKey }), 404, 'NOT_FOUND');
  expect((await call(local.baseUrl, 'GET', `/teams/${OTHER_TEAM}/keys`, { key: keys[`${OTHER_TEAM}:admin`] })).body.items).toHaveLength(listed.body.items.length);
});
