/**
 * Local mode's settings as a user changes them between runs: the printed keys always work as
 * printed, and bad settings stop it with a clear message instead of misbehaving.
 */
import { call } from './support/http';
import { removeDataDir, startLocalMode, tempDataDir } from './support/local-mode';

const ADMIN = 'settings_admin_key_00000001';
const REGISTRY = 'settings_registry_key_000001';

test('a restart with another LOCAL_TEAM rebinds the admin key to that team', async () => {
  const dataDir = tempDataDir();
  try {
    const alpha = await startLocalMode({ dataDir, env: { LOCAL_TEAM: 'alpha', LOCAL_ADMIN_KEY: ADMIN, LOCAL_REGISTRY_KEY: REGISTRY } });
    expect((await call(alpha.baseUrl, 'GET', '/teams/alpha/webhooks', { key: ADMIN })).status).toBe(200);
    await alpha.stop();

    const beta = await startLocalMode({ dataDir, env: { LOCAL_TEAM: 'beta', LOCAL_ADMIN_KEY: ADMIN, LOCAL_REGISTRY_KEY: REGISTRY } });
    expect(beta.output()).toContain('Team:          beta');
    expect((await call(beta.baseUrl, 'GET', '/teams/beta/webhooks', { key: ADMIN })).status).toBe(200);
    expect((await call(beta.baseUrl, 'GET', '/teams/alpha/webhooks', { key: ADMIN })).status).toBe(403);
    await beta.stop();
  } finally {
    removeDataDir(dataDir);
  }
});

test.each([
  [{ LOCAL_ADMIN_KEY: ADMIN, LOCAL_REGISTRY_KEY: ADMIN }, 'must differ'],
  [{ LOCAL_ADMIN_KEY: 'short' }, 'LOCAL_ADMIN_KEY must be 20-200 characters'],
  [{ LOCAL_TEAM: 'no spaces' }, 'LOCAL_TEAM must match'],
  [{ LOCAL_SWEEP_INTERVAL_MS: 'abc' }, 'LOCAL_SWEEP_INTERVAL_MS must be an integer'],
  [{ LOCAL_TTL_SWEEP_INTERVAL_MS: '50' }, 'LOCAL_TTL_SWEEP_INTERVAL_MS must be an integer from 100'],
  [{ RETRY_SCHEDULE: '5,soon' }, 'RETRY_SCHEDULE'],
  [{ ATTEMPT_TIMEOUT_MS: '0' }, 'ATTEMPT_TIMEOUT_MS must be an integer'],
])('refuses %j with a clear message', async (env, message) => {
  const dataDir = tempDataDir();
  try {
    await expect(startLocalMode({ dataDir, env: env as Record<string, string>, startTimeoutMs: 30_000 })).rejects.toThrow(message);
  } finally {
    removeDataDir(dataDir);
  }
});
